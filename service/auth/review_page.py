"""The page a client opens from a review link: the link's drafts by date, each with approve,
reject and a comment. A draft that failed its checks has no approve button (a client cannot
override them; the API answers 409): the page says which checks failed and that the editor
decides, in the words the API renders from the catalogue. Data is put in with textContent
only, never as HTML."""

REVIEW_PAGE = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>Gjenbruk – til godkjenning</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}
.day{margin:1.2rem 0 .4rem;font-weight:600;border-bottom:1px solid #ccc}
.draft{border:1px solid #ddd;border-radius:6px;padding:.8rem;margin:.5rem 0}
.text{white-space:pre-wrap}.status{font-size:.85rem;color:#555}
.needs-editor{background:#fff4e5;border-left:3px solid #c77700;padding:.4rem .6rem}
textarea{width:100%;box-sizing:border-box}button{margin:.3rem .3rem 0 0}</style></head>
<body><h1 id="title">Til godkjenning</h1><p>Ditt navn / your name:
<input id="author" autocomplete="name"></p><div id="calendar"></div><p id="error" role="alert"></p>
<script>
const base = "/v1/review/" + encodeURIComponent(location.pathname.split("/").pop());
const el = (tag, cls, text) => { const e = document.createElement(tag);
  if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
async function send(path, body) {
  body.author = document.getElementById("author").value;
  const r = await fetch(base + path, {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body)});
  if (!r.ok) { const e = await r.json().catch(() => ({}));
    document.getElementById("error").textContent = (e.error && e.error.message) || r.statusText; }
  await load();
}
async function load() {
  const r = await fetch(base + "?lang=" + document.documentElement.lang);
  const cal = document.getElementById("calendar"); cal.replaceChildren();
  if (!r.ok) { cal.append(el("p", "", "Lenken er ugyldig eller utløpt.")); return; }
  const link = await r.json();
  if (link.label) document.getElementById("title").textContent = link.label;
  let day = null;
  for (const d of link.drafts) {
    if (d.date !== day) { day = d.date; cal.append(el("div", "day", day || "Uten dato")); }
    const box = el("div", "draft"); box.dataset.draft = d.id;
    box.append(el("div", "status", d.surface + " · " + d.status), el("div", "text", d.text));
    for (const f of d.feedback) box.append(el("div", "status",
      (f.author || "") + ": " + (f.verdict || "") + " " + (f.comment || "")));
    const note = el("textarea"); note.rows = 2; note.placeholder = "Kommentar";
    const no = el("button", "reject", "Avvis"), say = el("button", "comment", "Kommenter");
    const verdict = (v) => send("/drafts/" + d.id + "/verdict", {verdict: v, comment: note.value});
    no.onclick = () => verdict("rejected");
    say.onclick = () => note.value && send("/drafts/" + d.id + "/comments", {comment: note.value});
    if (d.needs_editor) {
      // Failed checks: only the editor may approve it anyway; reject and comment stay.
      box.append(el("p", "needs-editor", d.needs_editor), note, no, say);
    } else {
      const ok = el("button", "approve", "Godkjenn");
      ok.onclick = () => verdict("approved");
      box.append(note, ok, no, say);
    }
    cal.append(box);
  }
}
load();
</script></body></html>
"""
