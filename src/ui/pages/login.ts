import { html, type SafeHtml } from '../html.ts';

export function loginPage(next: string, wrong: boolean): { title: string; body: SafeHtml } {
  return {
    title: 'Log in',
    body: html`<h1>This gateway needs its token</h1>
${wrong ? html`<p class="problem">That is not the token.</p>` : ''}
<form method="post" action="/ui/login">
<input type="hidden" name="next" value="${next}">
<label>Token <input type="password" name="token" autocomplete="current-password" size="40" autofocus></label>
<button type="submit">Log in</button>
</form>
<p class="muted">The token given to <code>streamfold serve --token</code> (or STREAMFOLD_HTTP_TOKEN). The browser keeps a session cookie derived from it.</p>`,
  };
}
