// Search as you type for a cooperative: <form data-live-search> with a search field, and a
// [data-live-results] element that the same page, fetched with the typed words, fills again.
// Without scripts the form's button submits the same GET and the page shows the results.
document.querySelectorAll("form[data-live-search]").forEach((form) => {
  const input = form.querySelector("input[type=search]");
  const results = document.querySelector(form.dataset.liveSearch);
  if (!input || !results) return;
  let timer = null;
  let asked = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++asked;
      const url = new URL(form.action, window.location.href);
      new FormData(form).forEach((value, name) => url.searchParams.set(name, value));
      const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!response.ok || mine !== asked) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.querySelector(form.dataset.liveSearch);
      if (fresh) results.replaceChildren(...fresh.childNodes);
    }, 250);
  });
});
