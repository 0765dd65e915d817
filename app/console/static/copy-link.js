// The "Copy link" button: copies the download link shown beside it with the Clipboard API.
for (const button of document.querySelectorAll("[data-copy-target]")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const text = document.getElementById(button.dataset.copyTarget).textContent.trim();
    const status = document.getElementById(button.dataset.copyStatus);
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = "Link copied.";
    } catch {
      status.textContent = "Copying failed: select the link and copy it.";
    }
  });
}
