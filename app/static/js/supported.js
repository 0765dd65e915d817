// Marks the page as able to run GOV.UK Frontend's JavaScript (no inline script: the CSP forbids it).
document.body.className += " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
