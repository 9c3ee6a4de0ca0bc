/**
 * The dashboard's sign-in page. Its script is a file of its own (`login.js`): the CSP lets a
 * page run scripts from this origin only, never inline ones.
 */
export const loginPage = (basePath: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Queue dashboard — sign in</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}
textarea{width:100%;height:8rem;font:13px monospace}button{margin-top:.5rem;padding:.4rem 1rem}
#error{color:#b00020}</style>
<script src="${basePath}/login.js" defer></script></head>
<body><h1>Queue dashboard</h1>
<p>Paste an admin bearer token (locally: <code>npm run -s token -- --role admin</code>).</p>
<form id="f"><textarea id="t" required autofocus></textarea><br><button>Sign in</button></form>
<p id="error" role="alert"></p>
</body></html>`;

export const loginScript = (basePath: string) => `'use strict';
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const res = await fetch('${basePath}/session', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: document.getElementById('t').value.trim() }),
  });
  if (res.ok) location.href = '${basePath}';
  else document.getElementById('error').textContent = (await res.json()).detail;
});
`;
