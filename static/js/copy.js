// "Copy" buttons: <button data-copy="#id" data-copied="Copied">. The clipboard API needs a secure
// context (HTTPS or localhost); elsewhere the text is selected and copied the old way.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  const text = "value" in source ? source.value : source.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    source.focus();
    source.select();
    document.execCommand("copy");
  }
  const label = button.textContent;
  button.textContent = button.dataset.copied;
  button.setAttribute("data-done", "");
  setTimeout(() => { button.textContent = label; button.removeAttribute("data-done"); }, 2500);
});
