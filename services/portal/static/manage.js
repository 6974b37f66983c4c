// A link in our emails carries its token after '#', which no server sees. Read it, take it out of the
// address bar (and so out of the history), and put it into the page's form: the form marked
// data-link-token (or, on the manage page, the form with id "manage"). The form is then posted at
// once, unless it is marked data-link-token="fill": a page where the visitor confirms first (stopping
// an alert), so that a mail scanner that opens links and runs their scripts changes nothing.
(function () {
  var found = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  var form = document.querySelector("form[data-link-token]") || document.getElementById("manage");
  if (!found || !form) { return; }
  form.elements.token.value = decodeURIComponent(found[1]);
  window.history.replaceState(null, "", window.location.pathname);
  if (form.getAttribute("data-link-token") !== "fill") { form.submit(); }
})();
