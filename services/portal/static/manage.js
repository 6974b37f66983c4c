// The manage link carries its token after '#', which no server sees. Read it, take it out of the
// address bar (and so out of the history), and post it to the portal.
(function () {
  var found = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  var form = document.getElementById("manage");
  if (!found || !form) { return; }
  form.elements.token.value = decodeURIComponent(found[1]);
  window.history.replaceState(null, "", window.location.pathname);
  form.submit();
})();
