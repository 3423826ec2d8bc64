// cxscore's own script, written for it: the pages work without it; it only submits a filter form as soon
// as a choice changes (the forms keep their submit button for browsers without JavaScript).
// requestSubmit() fires the form's submit event, so when htmx is loaded (`make htmx`) it fetches the
// page's content and swaps it in place (the filter forms are hx-boost'ed); without htmx the browser
// loads the page as usual.
document.addEventListener("change", function (event) {
  var field = event.target;
  var form = field && field.form;
  if (form && form.classList.contains("filters") && field.tagName === "SELECT") {
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }
});
