/**
 * The console in a browser, as a person uses it: Chromium (Debian's `chromium`, driven by puppeteer-core) on a
 * twin with the service deployed. Start the lifecycle from the state machine page, watch it succeed, read the
 * report on the execution page, find records on the Streams page. With CONSOLE_SCREENSHOTS=<dir> it also writes
 * the screenshots the README shows.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { type Up, up } from '../../../local/up';
import { packagedProject, ROOT } from '../twin/project';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SHOTS = process.env['CONSOLE_SCREENSHOTS'];
const LIFECYCLE = 'kinesis-fanout-dev-lifecycle';

const suite = existsSync(CHROMIUM) ? describe : describe.skip;
const title = existsSync(CHROMIUM)
  ? 'Integration: the twin console in Chromium'
  : `Integration: the twin console in Chromium (skipped: no browser at ${CHROMIUM}; apt-get install chromium, as .ci/run does)`;

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

suite(title, () => {
  let session: Up;
  let browser: Browser;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    const templatePath = await packagedProject();
    session = await up({ projectDir: ROOT, templatePath, fast: true });
    profile = mkdtempSync(join(tmpdir(), 'fanout-chromium-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        `--user-data-dir=${profile}`,
      ],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 1100 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await session?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('starts the lifecycle from the state machine page, shows it succeed with its report, then finds records in PositiveTransactions', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));

    // Act: the state machine list, then the lifecycle's page with its graph
    await page.goto(session.twin.console.url, { waitUntil: 'load' });
    await page.waitForSelector(`a::-p-text(${LIFECYCLE})`);
    await page.click(`a::-p-text(${LIFECYCLE})`);
    await page.waitForSelector('svg.graph g.node[data-state="StartApplications"]');
    await shot(page, 'state-machine');

    // Start execution: the input box is prefilled with {} and checked as it is typed
    await page.click('#start-execution');
    const input = await page.waitForSelector('#execution-input');
    expect(await input!.evaluate((el) => (el as unknown as { value: string }).value)).toBe('{}');
    await input!.click({ count: 3 });
    await page.keyboard.press('Backspace');
    await page.keyboard.type('{"records": 300');
    expect(await page.$eval('#start-execution-submit', (b) => (b as unknown as { disabled: boolean }).disabled)).toBe(
      true,
    );
    await page.keyboard.type('}');
    expect(await page.$eval('#start-execution-submit', (b) => (b as unknown as { disabled: boolean }).disabled)).toBe(
      false,
    );
    await page.click('#start-execution-submit');

    // the execution page, live: RUNNING, then SUCCEEDED without a reload
    await page.waitForFunction("location.hash.startsWith('#/executions/')");
    await page.waitForSelector('#execution-status [data-status]');
    const first = await page.$eval('#execution-status [data-status]', (el) => el.getAttribute('data-status'));
    if (first === 'RUNNING') await shot(page, 'execution-running');
    await page.waitForSelector('#execution-status [data-status="SUCCEEDED"]', { timeout: 60_000 });
    await page.waitForSelector('#report-frame');

    // Assess: every state that ran is marked succeeded, and enough of them ran to mean it
    const statuses = await page.$$eval('svg.graph g.node[data-state]', (nodes) =>
      nodes.map((n) => [n.getAttribute('data-state'), n.getAttribute('data-status')]),
    );
    const ran = statuses.filter(([, s]) => s !== 'NOT_STARTED');
    expect(ran.length).toBeGreaterThanOrEqual(15);
    expect(ran.filter(([, s]) => s !== 'SUCCEEDED')).toEqual([]);
    for (const state of [
      'DiscoverSchema',
      'StartApplications',
      'CreateApplication',
      'LoadTest',
      'Teardown',
      'Succeeded',
    ])
      expect(Object.fromEntries(statuses)[state]).toBe('SUCCEEDED');

    // the report on the page: 0 missing for both outputs
    const frame = (await (await page.$('#report-frame'))!.contentFrame())!;
    await frame.waitForSelector('table tbody tr');
    const rows = await frame.$$eval('table tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
    );
    const missing = Object.fromEntries(rows.filter((r) => r.length >= 5).map((r) => [r[0], r[4]]));
    expect(missing).toEqual({ PositiveTransactions: '0', NegativeTransactions: '0' });
    await page.waitForFunction("document.querySelector('#report-frame').offsetHeight > 900");
    await shot(page, 'execution-succeeded');

    // the Streams page: records in PositiveTransactions, and the latest of them in the data viewer
    await page.click('a::-p-text(Data streams)');
    await page.waitForSelector('tr[data-stream="PositiveTransactions"]');
    const held = await page.$eval('tr[data-stream="PositiveTransactions"] .records-held', (td) =>
      Number(td.textContent?.replace(/,/g, '')),
    );
    expect(held).toBeGreaterThan(0);
    await page.click('a::-p-text(PositiveTransactions)');
    await page.waitForSelector('#records tbody tr');
    const data = await page.$$eval('#records tbody tr td.data', (tds) => tds.map((td) => td.textContent ?? ''));
    expect(data.length).toBeGreaterThan(0);
    expect(data.some((d) => d.includes('"AMOUNT"'))).toBe(true);
    await shot(page, 'stream');
    expect(errors).toEqual([]);
  }, 120_000);
});
