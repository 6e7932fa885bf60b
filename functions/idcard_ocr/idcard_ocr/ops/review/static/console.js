// The console's few behaviours (no inline scripts: the Content-Security-Policy forbids them).
document.addEventListener("click", function (event) {
  // Zoom: the photo at its natural size inside a scrolling frame, and back.
  var frame = event.target.closest && event.target.closest("#zoom");
  if (frame) {
    frame.classList.toggle("zoomed");
  }
});
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
