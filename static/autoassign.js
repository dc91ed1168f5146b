// Auto-assign: once the polled job status shows finished or failed, load the proposal region.
document.addEventListener("htmx:afterSettle", function () {
  var region = document.getElementById("autoassign-result");
  if (!region || !region.hasAttribute("hx-get")) return;
  if (region.querySelector('.job-status[data-status="finished"], .job-status[data-status="failed"]')) {
    document.body.dispatchEvent(new CustomEvent("autoassign-done"));
  }
});
