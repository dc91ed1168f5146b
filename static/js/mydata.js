/* My data: the print button prints the page (no inline handlers under the CSP). */
document.querySelectorAll('[data-print]').forEach(function (button) {
  button.addEventListener('click', function () { window.print(); });
});
