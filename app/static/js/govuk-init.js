// Starts GOV.UK Frontend's components (error summary focus, header menu, …) on this page.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();
