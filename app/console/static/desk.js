// The desk's softphone (SPEC §14): a Twilio Voice SDK Device registered as the advisor's
// client: identity with a token from the console session, refreshed before it expires. It never
// blocks the status controls: when it cannot register, the page says why and carries on.
(function () {
  "use strict";
  var panel = document.getElementById("softphone");
  if (!panel) return;
  var state = document.getElementById("softphone-state");
  var warning = document.getElementById("softphone-warning");
  var reason = document.getElementById("softphone-reason");
  var incoming = document.getElementById("softphone-incoming");
  var onCall = document.getElementById("softphone-oncall");
  var current = null;

  function say(text) { state.textContent = text; }

  function warn(text) {
    reason.textContent = "The softphone is not connected: " + text;
    warning.hidden = false;
    say("Calls cannot reach this page until the softphone connects.");
  }

  function fetchToken() {
    return fetch(panel.dataset.tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            var message = body.error && body.error.message;
            throw new Error(message || "the server answered " + response.status + ".");
          }
          return body.token;
        });
      });
  }

  function ended() {
    current = null;
    incoming.hidden = true;
    onCall.hidden = true;
    say("The softphone is ready for calls.");
  }

  function ring(call) {
    current = call;
    incoming.hidden = false;
    onCall.hidden = true;
    say("A call is ringing.");
    document.getElementById("softphone-accept").focus();
    ["cancel", "disconnect", "reject", "error"].forEach(function (name) { call.on(name, ended); });
  }

  document.getElementById("softphone-accept").addEventListener("click", function () {
    if (!current) return;
    current.accept();
    incoming.hidden = true;
    onCall.hidden = false;
    say("On a call.");
  });
  document.getElementById("softphone-reject").addEventListener("click", function () {
    if (current) current.reject();
    ended();
  });
  document.getElementById("softphone-hangup").addEventListener("click", function () {
    if (current) current.disconnect();
    ended();
  });

  window.addEventListener("beforeunload", function (event) {
    if (!current) return;
    event.preventDefault();
    event.returnValue = ""; // closing the tab would drop the caller
  });

  if (typeof Twilio === "undefined" || !Twilio.Device) {
    warn("the Voice SDK did not load.");
    return;
  }
  say("Connecting the softphone…");
  fetchToken().then(function (token) {
    var device = new Twilio.Device(token, { closeProtection: false });
    device.on("registered", function () { warning.hidden = true; say("The softphone is ready for calls."); });
    device.on("unregistered", function () { warn("it was unregistered."); });
    device.on("error", function (error) { warn((error && error.message) || "an error."); });
    device.on("incoming", ring);
    device.on("tokenWillExpire", function () {
      fetchToken().then(function (fresh) { device.updateToken(fresh); }, function (error) { warn(error.message); });
    });
    return device.register();
  }).catch(function (error) { warn(error.message); });
})();
