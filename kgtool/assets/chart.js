// Draws every element with a data-spec attribute: the id of a JSON block holding a Vega-Lite spec.
// Vega runs with its expression interpreter (ast: true), so no code is made from strings and a strict
// Content-Security-Policy holds; its tooltips escape the text they show. Used by the chart pages that
// `kgtool chart` writes and by the server's pages alike.
(function () {
  "use strict";

  var charts = document.querySelectorAll("[data-spec]");
  var pending = charts.length;

  function done(state) {
    pending -= 1;
    if (pending <= 0) { document.body.dataset.state = state; }
  }

  // no <style> elements (a page's policy may forbid them): the pages' CSS styles the tooltip
  var OPTIONS = { renderer: "svg", actions: false, ast: true, defaultStyle: false,
                  tooltip: { disableDefaultStyle: true } };

  function embed(element, spec) {
    return window.vegaEmbed(element, spec, OPTIONS);
  }

  function draw(element) {
    var block = document.getElementById(element.dataset.spec);
    var spec = JSON.parse(block.textContent);
    return embed(element, spec).then(function () {
      element.dataset.rendered = "true";
    }, function (error) {
      element.dataset.rendered = "error";
      var message = document.createElement("p");
      message.className = "error";
      message.textContent = "The chart could not be drawn: " + error.message;
      element.appendChild(message);
    });
  }

  window.kgtoolChart = draw;
  window.kgtoolEmbed = embed;
  if (!pending) { document.body.dataset.state = "rendered"; }
  charts.forEach(function (element) {
    draw(element).then(function () { done(element.dataset.rendered === "true" ? "rendered" : "error"); });
  });
})();
