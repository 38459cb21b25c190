import { html, type SafeHtml } from './html.ts';

export interface PageOptions {
  readonly title: string;
  readonly app: string;
  /** Set on pages with [data-live] regions: how often app.js refreshes them. */
  readonly refreshMs?: number;
  readonly notice?: string | null;
}

/** The page frame: no inline script or style, so the Content-Security-Policy can forbid both. */
export function page(options: PageOptions, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · streamfold</title>
<link rel="stylesheet" href="/ui/style.css">
<script src="/ui/app.js" defer></script>
</head>
<body data-refresh-ms="${options.refreshMs ?? ''}">
<header>
  <a class="brand" href="/ui">streamfold</a> <span class="app">${options.app}</span>
  <form class="find" method="get" action="/ui/find">
    <input name="id" placeholder="aggregate, command or correlation uuid" aria-label="uuid to find" size="40">
    <button type="submit">Find</button>
  </form>
  ${options.refreshMs ? html`<button type="button" id="live-toggle" class="live">live</button>` : ''}
</header>
<main>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
${body}
</main>
</body>
</html>`.value;
}

/** A section app.js refreshes in place (by id) from a fresh render of the same URL. */
export function liveRegion(id: string, content: SafeHtml): SafeHtml {
  return html`<div id="${id}" data-live>${content}</div>`;
}

/** A POST button for the UI's actions (resume, skip, retry); the gateway checks that it comes from its own page. */
export function actionButton(action: string, label: string, danger = false): SafeHtml {
  return html`<form class="action" method="post" action="${action}"><button type="submit"${danger ? html` class="danger"` : ''}>${label}</button></form>`;
}
