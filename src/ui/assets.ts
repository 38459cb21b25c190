// Served as files (/ui/style.css, /ui/app.js) so the pages carry no inline style or script.

export const stylesheet = `
:root { --ink: #1d2330; --muted: #5d6577; --line: #d9dde6; --accent: #2856c6; --bad: #b3261e; --ok: #1e7a3c; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f7f8fb; }
header { display: flex; gap: 1rem; align-items: center; padding: .6rem 1.2rem; background: #1d2330; color: #fff; }
header a { color: #fff; text-decoration: none; }
.brand { font-weight: 700; letter-spacing: .02em; }
.app { color: #aab3c5; }
.find { margin-left: auto; display: flex; gap: .3rem; }
.find input { font: inherit; padding: .2rem .4rem; }
main { padding: 1rem 1.2rem 3rem; max-width: 1400px; }
h1 { font-size: 1.35rem; margin: .4rem 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.6rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; vertical-align: top; padding: .35rem .55rem; border-bottom: 1px solid var(--line); }
th { background: #eef1f6; font-weight: 600; white-space: nowrap; }
code, pre, .uuid { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
pre.data { margin: 0; white-space: pre-wrap; word-break: break-word; max-width: 60ch; }
a { color: var(--accent); }
.muted { color: var(--muted); }
.pill { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: 12px; border: 1px solid currentColor; }
.accepted, .current, .live-status, .ok { color: var(--ok); }
.rejected, .halted, .invalid, .bad { color: var(--bad); }
.pending, .catching-up, .parked, .replaying, .not-started { color: var(--warn); }
.notice { background: #e8f0fe; border: 1px solid #b9cdf5; padding: .5rem .8rem; }
.problem { background: #fdecea; border: 1px solid #f3b9b4; padding: .5rem .8rem; }
form.action { display: inline; }
button { font: inherit; cursor: pointer; }
button.danger { color: var(--bad); }
button.live { background: #2f3a52; color: #cfe3cf; border: 1px solid #4b5a7a; border-radius: 1rem; padding: .1rem .7rem; }
button.live.paused { color: #aab3c5; }
ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 1.4rem; border-left: 1px dashed var(--line); }
ul.tree { padding-left: 0; border: 0; }
ul.tree li { margin: .35rem 0; }
.node { display: inline-block; background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: .3rem .55rem; }
.node.command { border-left: 4px solid var(--accent); }
.node.event { border-left: 4px solid var(--ok); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 1.2rem; }
.grid > section { min-width: 0; overflow-x: auto; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; background: #fff; border: 1px solid var(--line); padding: .7rem 1rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
`;

export const script = `
// Live regions: each [data-live] element is replaced by the same element of a fresh render of
// this URL, so the server's escaping is the only rendering there is.
(function () {
  var every = Number(document.body.dataset.refreshMs) || 0;
  var toggle = document.getElementById('live-toggle');
  if (!every || !toggle) return;
  var paused = false;
  toggle.addEventListener('click', function () {
    paused = !paused;
    toggle.classList.toggle('paused', paused);
    toggle.textContent = paused ? 'paused' : 'live';
  });
  function refresh() {
    if (paused || document.visibilityState !== 'visible') return setTimeout(refresh, every);
    fetch(location.href, { credentials: 'same-origin', headers: { 'X-Streamfold-Live': '1' } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (text === null) return;
        var fresh = new DOMParser().parseFromString(text, 'text/html');
        document.querySelectorAll('[data-live]').forEach(function (region) {
          var next = fresh.getElementById(region.id);
          if (next && next.innerHTML !== region.innerHTML) region.innerHTML = next.innerHTML;
        });
        toggle.title = 'updated ' + new Date().toLocaleTimeString();
        document.body.dataset.refreshedAt = String(Date.now());
      })
      .catch(function () { toggle.title = 'the gateway did not answer'; })
      .then(function () { setTimeout(refresh, every); });
  }
  setTimeout(refresh, every);
})();
`;
