// The review page: a time code in the feedback ("0:03") jumps the player there and starts it. Without script the
// link still works: it goes to the player (this version) or opens the other version's file at that moment (#t=).
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) {
    return;
  }
  document.querySelectorAll("a[data-seek]:not([data-other-version])").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      player.currentTime = parseInt(link.getAttribute("data-seek"), 10) || 0;
      player.focus();
      var playing = player.play();
      if (playing && playing.catch) {
        playing.catch(function () {});
      }
    });
  });
})();
