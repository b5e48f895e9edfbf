// Signet's admin portal: a "Copy" button after each value marked `data-copy`. Every page works
// without this script; it only saves selecting the text.
document.querySelectorAll("[data-copy]").forEach((value) => {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary copy";
  button.textContent = "Copy";
  button.setAttribute("aria-label", "Copy " + value.dataset.copy);
  const status = document.createElement("span");
  status.setAttribute("role", "status");
  status.className = "copied";
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(value.textContent.trim());
      status.textContent = "Copied";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(value);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      status.textContent = "Selected: press Ctrl+C to copy";
    }
  });
  value.after(" ", button, " ", status);
});
