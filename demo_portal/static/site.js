/* 字号切换：大 中 小 */
(function () {
  "use strict";
  var links = document.querySelectorAll(".font-size a[data-size]");
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener("click", function (event) {
      event.preventDefault();
      var size = this.getAttribute("data-size") + "px";
      var blocks = document.querySelectorAll(".view p, #UCAP-CONTENT p");
      for (var j = 0; j < blocks.length; j++) {
        blocks[j].style.fontSize = size;
      }
    });
  }
})();
