// The site's only script, loaded from our own origin (Content-Security-Policy: no inline code,
// no eval). Pages work without it.

// A region refreshed by htmx polling (data-pause-while-focused) skips a refresh while the user is
// working inside it: replacing it would take their focus away.
document.addEventListener("htmx:beforeRequest", (event) => {
  const region = event.detail.elt.closest("[data-pause-while-focused]");
  if (region && region.contains(document.activeElement)) {
    event.preventDefault();
  }
});
