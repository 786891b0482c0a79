/* digihulp start check: comfort on top of plain forms that work without this script.
   - /start: counts answered questions, offers the path this browser already has, carries it into a re-check.
   - /start/pad: keeps the signed path token in localStorage, ticks tips off without a reload, copies the link. */
(function () {
  "use strict";
  var KEY = "digihulp_startpad";

  function store(token) {
    try { localStorage.setItem(KEY, token); } catch (e) { /* private mode: the link still works */ }
  }
  function stored() {
    try { return localStorage.getItem(KEY) || ""; } catch (e) { return ""; }
  }
  function decode(token) {  /* the signed payload, read for display only; the server checks the signature */
    try {
      var b64 = token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/");
      var bytes = Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); });
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) { return null; }
  }
  function dutchDate(iso) {
    var months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                  "oktober", "november", "december"];
    var p = (iso || "").split("-");
    return p.length === 3 ? parseInt(p[2], 10) + " " + months[parseInt(p[1], 10) - 1] + " " + p[0] : iso;
  }

  function startPage() {
    var form = document.getElementById("startcheck");
    if (!form) { return; }
    var token = stored(), data = token ? decode(token) : null;
    if (data && data.on) {
      document.getElementById("vorige").value = token;
      var box = document.getElementById("vorig-pad");
      document.getElementById("vorig-datum").textContent = dutchDate(data.on);
      document.getElementById("vorig-link").href = "/start/pad?r=" + encodeURIComponent(token);
      var today = new Date().toISOString().slice(0, 10);
      if (data.due && data.due <= today) { document.getElementById("vorig-herhaling").hidden = false; }
      box.hidden = false;
      var dept = document.getElementById("dienst");
      if (dept && !dept.value && data.d) { dept.value = data.d; }
    }
    var groups = form.querySelectorAll("fieldset.vraag");
    var counter = document.getElementById("teller");
    function count() {
      var done = 0;
      groups.forEach(function (g) { if (g.querySelector("input:checked")) { done += 1; } });
      counter.textContent = done + " van " + groups.length + " vragen beantwoord";
    }
    form.addEventListener("change", count);
    count();
  }

  function setToken(token) {
    store(token);
    document.body.dataset.token = token;
    document.querySelectorAll("input[name=r]").forEach(function (i) { i.value = token; });
    var back = encodeURIComponent("/start/pad?r=" + token);
    document.querySelectorAll("a[data-bron]").forEach(function (a) {
      a.href = "/bron?pad=" + encodeURIComponent(a.dataset.bron) + "&terug=" + back;
    });
    var link = document.getElementById("deel-link");
    if (link) {
      link.value = link.dataset.basis + "start/pad?r=" + token;
      var mail = document.getElementById("deel-mail");
      if (mail) { mail.href = "mailto:?subject=" + encodeURIComponent("Mijn tippad van digihulp") +
                              "&body=" + encodeURIComponent(link.value); }
    }
    history.replaceState(null, "", "/start/pad?r=" + token + location.hash);
  }

  function pathPage() {
    if (document.body.dataset.token) { store(document.body.dataset.token); }
    document.querySelectorAll("form.gedaan-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = form.querySelector("button");
        button.disabled = true;
        fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)),
                             headers: { "Accept": "application/json" } })
          .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
          .then(function (res) {
            setToken(res.token);
            var item = form.closest("li"), done = res.done;
            item.classList.toggle("gedaan", done);
            form.querySelector("input[name=gedaan]").value = done ? "0" : "1";
            button.textContent = done ? "✓ Gedaan" : "Markeer als gedaan";
            button.setAttribute("aria-pressed", done ? "true" : "false");
            document.getElementById("voortgang").value = res.count;
            document.getElementById("voortgang-tekst").textContent = res.count + " van " + res.total + " tips gedaan";
          })
          .catch(function () { form.submit(); })  /* fall back to the plain form */
          .finally(function () { button.disabled = false; });
      });
    });
    var copy = document.getElementById("kopieer");
    if (copy) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        var link = document.getElementById("deel-link");
        link.select();
        var done = function () { copy.textContent = "Gekopieerd"; };
        if (navigator.clipboard) { navigator.clipboard.writeText(link.value).then(done, function () {}); }
        else { document.execCommand("copy"); done(); }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.dataset.page === "start") { startPage(); }
    if (document.body.dataset.page === "pad") { pathPage(); }
  });
})();
