// The certificate period chooser (templates/activities/certificates.html): the date fields only show for
// "Dates I choose"; a chip or a date changed shows its hours at once (htmx, on the form's change).
(function () {
  function setUp() {
    var form = document.getElementById("cert-period");
    var dates = document.getElementById("cert-dates");
    if (!form || !dates) return;
    function sync() {
      var checked = form.querySelector('input[name="period"]:checked');
      dates.hidden = !checked || checked.value !== "custom";
    }
    form.addEventListener("change", sync);
    sync();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
