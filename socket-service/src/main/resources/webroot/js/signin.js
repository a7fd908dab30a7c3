/* vizrelay sign-in (issue 7): when the server answers 401, show a form posting to /auth/login,
   which sets an HttpOnly SameSite=Strict session cookie; the page then reloads as that user.
   With VIZRELAY_AUTH=none the server never answers 401 and nothing here shows. */
'use strict';
window.VZ = window.VZ || {};
(function () {
  const identity = {
    userId: null,
    inferredUserId: null,
    // The server takes the user from the session; no user_id is sent.
    listParams() { return ''; },
    headers() { return {}; },
    socketParams() { return ''; },
    effective() { return this.userId || this.inferredUserId; },
  };
  VZ.identity = identity;

  let shown = false;
  let dialog = null;

  function field(form, label, name, type) {
    const l = document.createElement('label');
    l.textContent = label;
    const i = document.createElement('input');
    i.name = name; i.type = type; i.required = true; i.id = 'signin-' + name;
    l.htmlFor = i.id;
    i.autocomplete = type === 'password' ? 'current-password' : 'username';
    l.append(i);
    form.append(l);
    return i;
  }

  /** True once the server answered 401: the page waits for the sign-in (which reloads it). */
  VZ.signInRequired = () => shown;

  /** Opens the sign-in dialog again (the header button and the page's notice call this). */
  function reopen() {
    if (dialog && !dialog.open) dialog.showModal();
    const u = document.getElementById('signin-username');
    if (u) u.focus();
  }

  /** A "Sign in" button in the header, so a dismissed dialog can always be reopened. */
  function headerButton() {
    if (document.getElementById('signin-open')) return;
    const b = document.createElement('button');
    b.className = 'btn'; b.id = 'signin-open'; b.type = 'button'; b.textContent = 'Sign in';
    b.addEventListener('click', reopen);
    const u = document.getElementById('h-user');
    if (u) u.after(b); else document.body.prepend(b);
  }

  /** Shows the sign-in form (built once); called by the page on any 401. */
  VZ.signIn = function () {
    if (shown) { reopen(); return; }
    shown = true;
    const dlg = document.createElement('dialog');
    dlg.id = 'signin';
    dlg.setAttribute('aria-labelledby', 'signin-title');
    dialog = dlg;
    const form = document.createElement('form');
    const title = document.createElement('h2');
    title.id = 'signin-title';
    title.textContent = 'Sign in to vizrelay';
    const hint = document.createElement('p');
    hint.className = 'small';
    hint.textContent = 'Your tasks and their plots are shown once you are signed in.';
    form.append(title, hint);
    const user = field(form, 'User ', 'username', 'text');
    const pass = field(form, 'Password ', 'password', 'password');
    const msg = document.createElement('p');
    msg.className = 'small'; msg.id = 'signin-error';
    msg.setAttribute('role', 'alert');
    const btn = document.createElement('button');
    btn.className = 'btn'; btn.type = 'submit'; btn.id = 'signin-ok'; btn.textContent = 'Sign in';
    form.append(msg, btn);
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      msg.textContent = '';
      try {
        const res = await fetch('/auth/login', {
          method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ username: user.value, password: pass.value }),
        });
        if (res.ok) { location.reload(); return; }
        msg.textContent = res.status === 401 ? 'Wrong user name or password.' : 'Sign-in failed (HTTP ' + res.status + ').';
      } catch (e) {
        msg.textContent = 'Network error.';
      }
    });
    dlg.append(form);
    // Esc must not lose the form: it stays open (and if a browser closes it anyway, the header
    // button brings it back)
    dlg.addEventListener('cancel', ev => ev.preventDefault());
    // browsers may still close a modal dialog on Esc (close watchers): it comes straight back
    dlg.addEventListener('close', () => requestAnimationFrame(reopen));
    document.body.append(dlg);
    headerButton();
    const empty = document.getElementById('empty');
    if (empty) empty.textContent = 'Sign in to see your tasks.';
    dlg.showModal();
    offerProvider(form, title);
  };

  /* VIZRELAY_AUTH=oidc: a link to the provider's sign-in (the code flow runs on the server); the
     password fields stay only when the server also has built-in users. */
  async function offerProvider(form, title) {
    try {
      const res = await fetch('/auth/config', { headers: { Accept: 'application/json' } });
      if (!res.ok) return;
      const cfg = await res.json();
      if (!cfg.oidc) return;
      const a = document.createElement('a');
      a.id = 'signin-oidc'; a.className = 'btn';
      a.href = cfg.oidc.login + '?return=' + encodeURIComponent(location.pathname + location.search);
      a.textContent = 'Sign in with ' + cfg.oidc.issuer;
      title.after(a);
      if (!cfg.password) {
        for (const el of form.querySelectorAll('label, #signin-ok')) el.hidden = true;
      }
    } catch (e) { /* the form stays */ }
  }

  async function whoAmI() {
    try {
      const res = await fetch('/auth/me', { headers: { Accept: 'application/json' } });
      if (res.status === 401) { VZ.signIn(); return; }
      if (!res.ok) return;
      const me = await res.json();
      if (me.auth === 'none') return;
      identity.userId = me.user_id;
      const u = document.getElementById('h-user');
      if (u) {
        u.textContent = me.user_id;
        u.title = 'signed in as ' + me.user_id;
        const out = document.createElement('button');
        out.className = 'btn'; out.id = 'signout'; out.textContent = 'Sign out';
        out.addEventListener('click', async () => { await fetch('/auth/logout', { method: 'POST' }); location.reload(); });
        u.after(out);
      }
    } catch (e) { /* the list poll reports the server as unreachable */ }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', whoAmI);
  else whoAmI();
})();
