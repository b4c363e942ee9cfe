"""The one page reachable without a login besides /v1/health: a form that posts to /v1/login."""

LOGIN_PAGE = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>Gjenbruk – logg inn</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1.2rem}#error{color:#a00;min-height:1.2rem}</style></head>
<body><h1>Gjenbruk</h1>
<form id="login"><label for="user">Brukernavn / user</label>
<input id="user" name="user" autocomplete="username" required>
<label for="password">Passord / password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Logg inn</button><p id="error" role="alert"></p></form>
<script>
document.getElementById("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = {user: event.target.user.value, password: event.target.password.value};
  const r = await fetch("/v1/login", {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  if (r.ok) { window.location.assign("/ui/"); return; }
  const e = await r.json().catch(() => ({}));
  document.getElementById("error").textContent = (e.error && e.error.message) || r.statusText;
});
</script></body></html>
"""
