// cxscore's only script, written for it: the pages work without it; it only submits a filter form as
// soon as a choice changes (the forms keep their submit button for browsers without JavaScript).
document.addEventListener("change", function (event) {
  var field = event.target;
  var form = field && field.form;
  if (form && form.classList.contains("filters") && field.tagName === "SELECT") {
    form.submit();
  }
});
