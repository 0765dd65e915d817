// Live parts of console pages (the desk's card, the board): poll a small fragment with the ETag
// of what is shown (the server answers 304 when nothing changed), submit their forms without
// leaving the page (a softphone call must survive), and tick "since"/"until" clocks from the
// server's clock (X-Clock), not the browser's. Without JavaScript the forms post as usual.
(function () {
  "use strict";
  var FRAGMENT = { "X-Live-Fragment": "1" };
  var offset = 0; // server clock minus browser clock, in ms

  function setClock(iso) {
    var at = Date.parse(iso || "");
    if (!isNaN(at)) offset = at - Date.now();
  }

  function duration(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
  }

  function tick() {
    var now = Date.now() + offset;
    document.querySelectorAll("[data-since]").forEach(function (el) {
      el.textContent = duration((now - Date.parse(el.dataset.since)) / 1000);
    });
    document.querySelectorAll("[data-until]").forEach(function (el) {
      el.textContent = duration((Date.parse(el.dataset.until) - now) / 1000);
    });
  }

  function busy(region) {
    var active = document.activeElement;
    return region.contains(active) && /^(SELECT|INPUT|TEXTAREA)$/.test(active.tagName);
  }

  function show(region, response, html) {
    setClock(response.headers.get("X-Clock"));
    region.dataset.etag = response.headers.get("ETag") || "";
    region.innerHTML = html;
    tick();
  }

  function poll(region) {
    var headers = Object.assign({}, FRAGMENT);
    if (region.dataset.etag) headers["If-None-Match"] = region.dataset.etag;
    return fetch(region.dataset.liveUrl, { headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) return setClock(response.headers.get("X-Clock"));
        if (response.redirected || !response.ok) return; // signed out, or a passing error
        return response.text().then(function (html) {
          if (!busy(region)) show(region, response, html);
        });
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  function start(region) {
    var every = parseInt(region.dataset.liveEvery, 10) || 2500;
    function again() {
      setTimeout(function () { poll(region).finally(again); }, document.hidden ? every * 5 : every);
    }
    again();
  }

  function submit(event) {
    var form = event.target.closest("form[data-live-form]");
    var region = form && form.closest("[data-live-url]");
    if (!region) return;
    event.preventDefault();
    var body = new FormData(form, event.submitter);
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    fetch(form.action, { method: "POST", body: body, headers: FRAGMENT, credentials: "same-origin" })
      .then(function (response) {
        if (response.headers.get("X-Clock") === null) return window.location.reload(); // signed out
        return response.text().then(function (html) {
          show(region, response, html);
          region.dataset.etag = ""; // the next poll brings the plain state back
          var focus = region.querySelector("[data-live-focus]");
          if (focus) focus.focus();
        });
      })
      .catch(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        window.alert("The console could not be reached. Try again.");
      });
  }

  var regions = document.querySelectorAll("[data-live-url]");
  regions.forEach(function (region) {
    setClock(region.dataset.clock);
    start(region);
  });
  document.addEventListener("submit", submit);
  setInterval(tick, 1000);
})();
