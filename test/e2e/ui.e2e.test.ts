import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, testPipeline, type Gateway, type TestPipeline } from '../../src/index.ts';
import demoConfig from '../../streamfold.config.ts';
import { projectRoot } from '../support/isolatedPipeline.ts';
import { rawKafka } from '../support/rawKafka.ts';

// Without the background-networking flags Chromium keeps dialing Google's hosts, which this network refuses.
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * The machine's Chromium when it has one (STREAMFOLD_CHROMIUM, else Debian's /usr/bin/chromium);
 * otherwise the one inside @sparticuz/chromium's npm tarball (a devDependency), unpacked into the
 * temp folder on first use. playwright-core drives either: no browser download. Both get the same
 * flags: the package's own (meant for AWS Lambda) include --disable-web-security, which would
 * blunt the security tests below.
 */
async function chromiumToDrive(): Promise<string> {
  const system = process.env.STREAMFOLD_CHROMIUM ?? '/usr/bin/chromium';
  if (fs.existsSync(system)) return system;
  const { default: packaged } = await import('@sparticuz/chromium');
  const executablePath = await packaged.executablePath();
  console.info(`no Chromium at ${system}: using @sparticuz/chromium's (${executablePath})`);
  return executablePath;
}

/** Always kept under .streamfold/ for a look after a run; copied into docs/images with UPDATE_SCREENSHOTS=1 (the README's pictures). */
async function screenshot(page: Page, name: string, selector?: string): Promise<void> {
  const dirs = [path.join(projectRoot, '.streamfold/screenshots'), ...(process.env.UPDATE_SCREENSHOTS === '1' ? [path.join(projectRoot, 'docs/images')] : [])];
  for (const dir of dirs) {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.png`);
    await (selector ? page.locator(selector).screenshot({ path: file }) : page.screenshot({ path: file, fullPage: false }));
  }
}

const scriptPayload = `<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">`;

describe('the web UI in headless Chromium', () => {
  let pipeline: TestPipeline;
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const [hostileReciter, reciter, album1, album2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  let deleteCorrelation: string;

  beforeAll(async () => {
    const executablePath = await chromiumToDrive();
    pipeline = await testPipeline(demoConfig, { baseDir: projectRoot, label: 'ui' });
    gateway = await createGateway(pipeline.runtime, { port: 0, refreshMs: 400 });
    await pipeline.given([
      { commandType: 'CreateReciter', aggregateUuid: hostileReciter, data: { reciter_uuid: hostileReciter, name: scriptPayload, description: `"'><svg onload=alert(1)>` } },
      { commandType: 'CreateReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter, name: 'Nadeem Sarwar', description: null } },
      { commandType: 'CreateAlbum', aggregateUuid: album1, data: { album_uuid: album1, reciter_uuid: reciter, title: 'Album One', year: 2019 } },
      { commandType: 'CreateAlbum', aggregateUuid: album2, data: { album_uuid: album2, reciter_uuid: reciter, title: 'Album Two', year: 2020 } },
    ]);
    const deleted = await pipeline.when({ commandType: 'DeleteReciter', aggregateUuid: reciter, data: { reciter_uuid: reciter } });
    deleteCorrelation = deleted.command.metadata.correlationId;
    browser = await chromium.launch({ executablePath, args: chromiumArgs });
    page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await pipeline?.close();
  });

  const pwned = () => page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned);

  it('shows a script-bearing payload as text in the stream, and nothing in it runs', async () => {
    await page.goto(`${gateway.url}/ui/streams/${hostileReciter}`);
    await expect.poll(() => page.locator('h1').textContent()).toContain(`Reciter ${hostileReciter}`);
    const data = await page.locator('table.events pre.data').first().textContent();
    expect(data).toContain(scriptPayload.replaceAll('"', '\\"'));
    expect(data).toContain(`<svg onload=alert(1)>`);
    expect(await page.locator('main img, main svg, main script').count()).toBe(0);
    expect(await pwned()).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.locator('table.events td').nth(1).textContent()).toBe('ReciterCreated');
    await screenshot(page, 'ui-stream');
  });

  it('renders a projection table from the read model, escaping its cells', async () => {
    await page.goto(`${gateway.url}/ui/projections/${pipeline.named('reciters')}/reciters?reciter_uuid=${hostileReciter}`);
    expect(await page.locator('table.rows th').allTextContents()).toEqual(['reciter_uuid', 'name', 'description', 'avatar_url', 'version', 'updated_at']);
    const cells = await page.locator('table.rows tbody tr').first().locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual([hostileReciter, scriptPayload, `"'><svg onload=alert(1)>`]);
    expect(await page.locator('main img, main svg').count()).toBe(0);
    expect(await pwned()).toBeUndefined();
  });

  it('follows a correlation id across aggregates as a tree: command → events → reactor commands → events', async () => {
    await page.goto(`${gateway.url}/ui/correlations/${deleteCorrelation}`);
    const root = page.locator('ul.tree > li.command-node');
    expect(await root.count()).toBe(1);
    expect(await root.locator('> .node strong').textContent()).toBe('DeleteReciter');
    const event = root.locator('> ul > li.event-node');
    expect(await event.locator('> .node strong').textContent()).toBe('ReciterDeleted');
    const reactions = event.locator('> ul > li.command-node');
    expect(await reactions.locator('> .node strong').allTextContents()).toEqual(['DeleteAlbum', 'DeleteAlbum']);
    expect(await reactions.locator('> ul > li.event-node > .node strong').allTextContents()).toEqual(['AlbumDeleted', 'AlbumDeleted']);
    expect(await reactions.locator('> .node').first().textContent()).toContain(`by reactor:${pipeline.named('reciter_album_cleanup')}`);
    await screenshot(page, 'ui-correlation');
  });

  it('updates a stream page live when a command arrives over HTTP', async () => {
    const roster = randomUUID();
    await pipeline.given([{ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name: 'Period 1' } }]);
    await page.goto(`${gateway.url}/ui/streams/${roster}`);
    expect(await page.locator('table.events tbody tr').count()).toBe(1);
    const sent = await fetch(`${gateway.url}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ commandType: 'AddPeriod', aggregateUuid: roster, data: { roster_uuid: roster, period_uuid: randomUUID(), name: 'Period 2 <b>live</b>' } }),
    });
    expect(sent.status).toBe(202);
    await expect.poll(() => page.locator('table.events tbody tr').count(), { timeout: 20_000 }).toBe(2);
    expect(await page.locator('table.events tbody tr').nth(1).textContent()).toContain('Period 2 <b>live</b>');
    expect(await page.locator('main b').count()).toBe(0);
  });

  it('charts throughput and lag from the samples the server took since it started, as an inline SVG', async () => {
    await page.goto(`${gateway.url}/ui`);
    const chart = page.locator('#throughput svg#throughput-chart');
    expect(await chart.count()).toBe(1);
    // Commands were decided since the gateway started: the live region fills in as samples come (one a second here).
    const pointsOf = (kind: string) => page.locator(`#throughput path.${kind}`).getAttribute('data-points').then(Number).catch(() => 0);
    await expect.poll(() => pointsOf('throughput'), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(await pointsOf('lag')).toBeGreaterThanOrEqual(3);
    const d = (await page.locator('#throughput path.throughput').getAttribute('d')) as string;
    expect(d).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
    // The command the test before sent was decided between two samples: a point above the baseline (y 112).
    expect(Math.min(...[...d.matchAll(/,([\d.]+)/g)].map((m) => Number(m[1])))).toBeLessThan(112);
    const text = await chart.textContent();
    for (const label of ['commands decided / s', 'consumer lag (messages)', 'now', ' s']) expect(text).toContain(label);
    expect(await page.locator('#throughput title').textContent()).toMatch(/^Commands decided per second and consumer lag, the last \d+ (s|min)$/);
    await screenshot(page, 'ui-chart', '#throughput-chart');
  });

  it('shows projections with their live version, lag and state, finds a uuid, and shows a dead letter escaped', async () => {
    await page.goto(`${gateway.url}/ui`);
    const overview = page.locator('#projections-table');
    expect(await overview.textContent()).toContain(pipeline.named('roster_view'));
    await screenshot(page, 'ui-overview');
    await page.click(`text=${pipeline.named('reciters')}`);
    expect(await page.locator('h1').textContent()).toBe(`Projection ${pipeline.named('reciters')}`);
    expect(await page.locator('#versions tbody tr td').nth(1).textContent()).toBe('live');
    expect(await page.locator('#projection').textContent()).toContain('No halted or parked events.');

    await page.fill('input[name=id]', album1);
    await page.click('header button[type=submit]');
    await expect.poll(() => page.locator('h1').textContent()).toContain(`Album ${album1}`);

    const topic = `${pipeline.named('album')}.commands`;
    const producer = rawKafka(pipeline.runtime).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: Buffer.from(`garbage <script>window.__pwned = 3</script>`) }] });
    await producer.disconnect();
    await expect
      .poll(async () => {
        await page.goto(`${gateway.url}/ui/dead-letters/${topic}.dlq`);
        return page.locator('table tbody tr').count();
      }, { timeout: 30_000 })
      .toBe(1);
    expect(await page.locator('table tbody tr').textContent()).toContain('garbage <script>window.__pwned = 3</script>');
    // The door reads the key first: `k` is no aggregate uuid.
    expect(await page.locator('table tbody tr').textContent()).toContain('BAD_KEY');
    expect(await pwned()).toBeUndefined();
    expect(dialogs).toEqual([]);
  });
});
