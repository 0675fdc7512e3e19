// Click a matrix cell to pin its source's evidence under the matrix; click it again to unpin.
// Without this script each cell is a link to the same evidence further down the page.
(function () {
  "use strict";
  document.documentElement.setAttribute("data-script", "ran");
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.cell-link");
    var section = link && link.closest("section.coalition");
    var pin = section && section.querySelector(".pin");
    var evidence = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!pin || !evidence) {
      return;
    }
    event.preventDefault();
    var cell = link.closest("td");
    var pinned = section.querySelector("td.pinned");
    if (pinned) {
      pinned.classList.remove("pinned");
    }
    if (pinned === cell) {
      pin.hidden = true;
      pin.replaceChildren();
      return;
    }
    cell.classList.add("pinned");
    var about = document.createElement("p");
    about.className = "pin-about";
    about.textContent = link.querySelector(".vh").textContent;
    var quote = evidence.cloneNode(true);
    quote.removeAttribute("id");
    var list = document.createElement("ul");
    list.appendChild(quote);
    pin.replaceChildren(about, list);
    pin.hidden = false;
  });
})();
