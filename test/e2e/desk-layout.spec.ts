/**
 * The desk's layout as a user meets it: every screen at 1280×800 and 1920×1080 (and the checks at 1440×900),
 * light and dark, with six profiles with long names in mixed states. Screenshots go to test-results/screenshots/
 * to be looked at; the boxes are measured so that a clipped row, a status bar item pushed out of view or a
 * truncated header pill fails the test.
 */
import type { Page } from '@playwright/test';
import { test, expect, serve, stop, callFromPage, type ServedApp } from './host-fixture.js';

const LONG_NAMES = [
  'Greenhouse sensors — north wing production broker',
  'Workshop Mosquitto on the bench Raspberry Pi 4',
  'Cold-room freezer monitoring (customer site Lyon)',
  'Beekeeping hive scales and weather station 2025',
  'Staging broker for the irrigation controller firmware',
  'Home automation: living room, kitchen and garden',
];

/** Six long-named profiles: two retrying a closed port, one refused by the sandbox, three off. */
async function addSixProfiles(page: Page): Promise<void> {
  const info = await callFromPage<{ sandbox?: { mqtt: string } }>(page, 'app.info');
  for (const [i, name] of LONG_NAMES.entries()) {
    const url = i === 2 ? info.sandbox!.mqtt : 'mqtt://127.0.0.1:9';
    const p = await callFromPage<{ id: string }>(page, 'profiles.save', { name, kind: 'mqtt', url, subscriptions: ['#'] });
    if (i < 3) await callFromPage(page, 'sessions.connect', { profileId: p.id }).catch(() => undefined);
  }
}

/** A value worth reading in the tree: a JSON object on the sandbox. */
async function publishInventory(page: Page): Promise<void> {
  const profiles = await callFromPage<{ id: string; builtIn?: boolean }[]>(page, 'profiles.list');
  const sandbox = profiles.find((p) => p.builtIn)!;
  await callFromPage(page, 'messages.publish', {
    profileId: sandbox.id,
    topic: 'demo/inventory',
    data: JSON.stringify({
      items: [
        { id: 1, name: 'pump' },
        { id: 2, name: 'valve' },
      ],
      site: 'north',
    }),
  });
}

/** What a user would see as cut off, measured in the page. Empty when everything fits. */
function clipped(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const inside = (el: Element, box: DOMRect, what: string) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) problems.push(`${what} is not shown`);
      else if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
        problems.push(
          `${what} sticks out (${Math.round(r.left)}–${Math.round(r.right)} × ${Math.round(r.top)}–${Math.round(r.bottom)})`,
        );
    };
    const cut = (el: Element | null, what: string) => {
      if (el && el.scrollWidth > el.clientWidth + 1) problems.push(`${what} is truncated ("${el.textContent?.trim()}")`);
    };
    const view = new DOMRect(0, 0, innerWidth, innerHeight);
    if (document.documentElement.scrollWidth > innerWidth) problems.push('the page scrolls sideways');

    const status = document.querySelector('footer[aria-label="Status bar"]');
    if (!status) problems.push('no status bar');
    else {
      const box = status.getBoundingClientRect();
      inside(status, view, 'the status bar');
      const figure = /msg\/s|received|stored|outbox|unread alert|^v\d/;
      for (const item of status.querySelectorAll('span, button'))
        if (figure.test(item.textContent?.trim() ?? '') && !item.querySelector('span, button'))
          inside(item, box, `status item "${item.textContent?.trim()}"`);
      if (!/unread alert/.test(status.textContent ?? '')) problems.push('the status bar does not say the unread alerts');
      if (!/v\d+\.\d+/.test(status.textContent ?? '')) problems.push('the status bar does not show the version');
    }

    const list = document.querySelector('section[aria-label="Connections"]');
    const scroller = list?.closest('.pane-connections') ?? list;
    if (scroller) {
      const box = scroller.getBoundingClientRect();
      for (const row of scroller.querySelectorAll('li[data-profile]')) {
        const name = row.getAttribute('data-profile');
        inside(row, box, `connection row "${name}"`);
        cut(row.querySelector('.label'), `connection name "${name}"`);
      }
    }

    const toolbar = document.querySelector('section[aria-label="Message log"] .toolbar');
    if (toolbar)
      for (const el of toolbar.querySelectorAll(':scope > :not(.grow)'))
        inside(el, toolbar.getBoundingClientRect(), `log toolbar item "${el.textContent?.trim().slice(0, 20)}"`);

    const pill = document.querySelector('.tray .state');
    if (pill) {
      inside(pill, view, 'the top status pill');
      cut(pill, 'the top status pill');
      for (const part of pill.querySelectorAll('span')) cut(part, 'a part of the top status pill');
    }
    for (const el of document.querySelectorAll('header.top > :not(.grow)'))
      inside(el, view, `header item "${el.textContent?.trim().slice(0, 30)}"`);
    return problems;
  });
}

const SCREENS = ['Explorer', 'Log', 'Devices', 'Alerts', 'Account'] as const;

test.describe('layout at three sizes, light and dark, with six long-named profiles', () => {
  let app: ServedApp;
  test.beforeAll(async () => {
    app = await serve();
  });
  test.afterAll(async () => {
    await stop(app);
  });

  test('every screen is written to test-results/screenshots and nothing is clipped', async ({ page }) => {
    test.setTimeout(240_000);
    await page.goto(app.url);
    await addSixProfiles(page);
    await publishInventory(page);
    const connections = page.getByRole('region', { name: 'Connections' });
    await expect(connections.locator('li[data-profile]')).toHaveCount(7);
    await expect(connections.getByText('failed', { exact: true })).toBeVisible();

    for (const [width, height] of [
      [1280, 800],
      [1440, 900],
      [1920, 1080],
    ] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.setViewportSize({ width, height });
        await page.emulateMedia({ colorScheme: scheme });
        const shoot = width !== 1440;
        for (const screen of SCREENS) {
          await page.getByRole('tab', { name: screen }).click();
          if (screen === 'Explorer') {
            await page.locator('li[data-profile="Sandbox (demo)"] button.name').click();
            await page.getByRole('region', { name: 'Topic tree' }).locator('[data-topic="demo/temperature"]').click();
          }
          if (screen === 'Log') await page.getByRole('region', { name: 'Message log' }).locator('.msg').first().click();
          // the rule editor is what was cramped beside the composer
          if (screen === 'Alerts')
            await page.getByRole('region', { name: 'Alerts', exact: true }).getByRole('button', { name: 'New rule' }).click();
          await page.waitForTimeout(400);
          expect.soft(await clipped(page), `${screen} at ${width}×${height} ${scheme}`).toEqual([]);
          if (shoot)
            await page.screenshot({ path: `test-results/screenshots/${screen.toLowerCase()}-${width}x${height}-${scheme}.png` });
        }
        await page.getByRole('button', { name: 'Settings' }).click();
        await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
        expect.soft(await clipped(page), `Settings at ${width}×${height} ${scheme}`).toEqual([]);
        if (shoot) await page.screenshot({ path: `test-results/screenshots/settings-${width}x${height}-${scheme}.png` });
        await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Close' }).click();
      }
    }
  });
});

test('panes resize by dragging and from the keyboard, and come back the same after a reload', async ({ app, page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(app.url);
  await publishInventory(page);
  const tree = page.getByRole('region', { name: 'Topic tree' });
  const value = tree.locator('[data-topic="demo/inventory"] .value');
  await expect(value).toContainText('items');
  const narrow = await value.evaluate((el) => el.clientWidth);

  // drag the sidebar's divider 160 px to the right: the tree's value column takes the room
  const sidebar = page.getByRole('separator', { name: 'Resize the sidebar' });
  const before = Number(await sidebar.getAttribute('aria-valuenow'));
  const box = (await sidebar.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 200);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 80, box.y + 200, { steps: 4 });
  await page.mouse.move(box.x + box.width / 2 + 160, box.y + 200, { steps: 4 });
  await page.mouse.up();
  await expect(sidebar).toHaveAttribute('aria-valuenow', String(before + 160));
  const wide = await value.evaluate((el) => el.clientWidth);
  expect(wide).toBeGreaterThanOrEqual(narrow + 150);
  // readable: a good part of the JSON, not `{"items"…`
  expect(wide).toBeGreaterThan(220);

  // the composer's divider from the keyboard: arrows towards the centre widen it
  const composer = page.getByRole('separator', { name: 'Resize the composer' });
  const composerBefore = Number(await composer.getAttribute('aria-valuenow'));
  await composer.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Shift+ArrowLeft');
  await expect(composer).toHaveAttribute('aria-valuenow', String(composerBefore + 16 + 64));
  const composerWidth = await page
    .getByRole('complementary', { name: 'Composer panel' })
    .evaluate((el) => el.getBoundingClientRect().width);
  expect(Math.round(composerWidth)).toBe(composerBefore + 80);

  // the connections list against the tree: drag its divider 60 px down
  const rows = page.getByRole('separator', { name: 'Resize the connections list' });
  const rowsBefore = Number(await rows.getAttribute('aria-valuenow'));
  const rowsBox = (await rows.boundingBox())!;
  await page.mouse.move(rowsBox.x + 100, rowsBox.y + rowsBox.height / 2);
  await page.mouse.down();
  await page.mouse.move(rowsBox.x + 100, rowsBox.y + rowsBox.height / 2 + 60, { steps: 5 });
  await page.mouse.up();
  const rowsAfter = Number(await rows.getAttribute('aria-valuenow'));
  expect(Math.abs(rowsAfter - (rowsBefore + 60))).toBeLessThanOrEqual(2);
  const treeTop = await tree.evaluate((el) => el.getBoundingClientRect().top);
  expect(Math.abs(treeTop - (rowsBox.y + rowsBox.height / 2 + 60))).toBeLessThanOrEqual(6);

  // remembered
  await page.reload();
  await expect(page.getByRole('separator', { name: 'Resize the sidebar' })).toHaveAttribute(
    'aria-valuenow',
    String(before + 160),
  );
  await expect(page.getByRole('separator', { name: 'Resize the composer' })).toHaveAttribute(
    'aria-valuenow',
    String(composerBefore + 80),
  );
  await expect(page.getByRole('separator', { name: 'Resize the connections list' })).toHaveAttribute(
    'aria-valuenow',
    String(rowsAfter),
  );

  // Enter on a divider gives the pane its default size back
  await page.getByRole('separator', { name: 'Resize the sidebar' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('separator', { name: 'Resize the sidebar' })).toHaveAttribute('aria-valuenow', String(before));
});

test('the composer is docked on Explorer and Log, and a drawer elsewhere (Alt+P or the header button)', async ({ app, page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.url);
  const composer = page.getByRole('form', { name: 'Publish composer' });
  const drawer = page.getByRole('complementary', { name: 'Composer drawer' });
  await expect(composer).toBeVisible();

  // Alerts gets the whole width: no composer column beside the rule editor
  await page.getByRole('tab', { name: 'Alerts' }).click();
  await expect(page.getByRole('region', { name: 'Alerts', exact: true })).toBeVisible();
  await expect(composer).toBeHidden();
  const center = await page.locator('main.center').evaluate((el) => el.getBoundingClientRect().right);
  expect(Math.round(center)).toBe(1280);

  // the drawer: Alt+P opens it, Escape closes it, the header button opens it again
  await page.locator('body').press('Alt+p');
  await expect(drawer.getByRole('form', { name: 'Publish composer' })).toBeVisible();
  await drawer.getByLabel('Data').press('Escape');
  await expect(drawer).toBeHidden();
  const open = page.getByRole('button', { name: 'Publish…' });
  await expect(open).toHaveAttribute('aria-expanded', 'false');
  // the drawer covers the right of the screen, over the rule editor: open the editor first
  await page.getByRole('region', { name: 'Alerts', exact: true }).getByRole('button', { name: 'New rule' }).click();
  await open.click();
  await expect(drawer.getByRole('form', { name: 'Publish composer' })).toBeVisible();
  await expect(open).toHaveAttribute('aria-expanded', 'true');
  await page.screenshot({ path: 'test-results/screenshots/alerts-drawer-1280x800.png' });
  // …and leaving for a publishing screen docks it again
  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(drawer).toBeHidden();
  await expect(
    page.getByRole('complementary', { name: 'Composer panel' }).getByRole('form', { name: 'Publish composer' }),
  ).toBeVisible();
  // Devices and Account: folded away too
  for (const name of ['Devices', 'Account']) {
    await page.getByRole('tab', { name }).click();
    await expect(composer).toBeHidden();
    await expect(page.getByRole('button', { name: 'Publish…' })).toBeVisible();
  }

  // folded on Explorer stays folded there, across screens and a reload
  await page.getByRole('tab', { name: 'Explorer' }).click();
  await page.getByRole('button', { name: 'Collapse the composer' }).click();
  await expect(composer).toBeHidden();
  await page.getByRole('tab', { name: 'Alerts' }).click();
  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(composer).toBeHidden();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Open the composer' })).toBeVisible();
  await expect(composer).toBeHidden();
  await page.locator('body').press('Alt+p');
  await expect(composer).toBeVisible();
});

test('the command palette reaches topics, profiles, commands and recent items; the theme is set there or in Settings', async ({
  app,
  page,
}) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(app.url);
  await addSixProfiles(page);
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  const options = palette.getByRole('option');
  const tree = page.getByRole('region', { name: 'Topic tree' });
  await expect(tree.locator('[data-topic="demo/humidity"]')).toBeVisible();

  // jump to a topic: letters in order are enough
  await page.keyboard.press('Control+k');
  await page.keyboard.type('dmhum');
  await expect(options.first()).toContainText('demo/humidity');
  await expect(options.first().locator('mark').first()).toHaveText('d');
  await page.keyboard.press('Enter');
  await expect(palette).toBeHidden();
  await expect(
    page.getByRole('region', { name: 'Topic explorer' }).getByRole('heading', { name: 'demo/humidity' }),
  ).toBeVisible();
  await expect(tree.locator('[data-topic="demo/humidity"]')).toHaveClass(/selected/);

  // open a profile
  await page.keyboard.press('Control+k');
  await page.keyboard.type('open workshop');
  await page.keyboard.press('Enter');
  await expect(page.locator('li[data-profile="Workshop Mosquitto on the bench Raspberry Pi 4"]')).toHaveClass(/selected/);

  // the theme, applied at once whatever the OS says
  await page.keyboard.press('Control+k');
  await page.keyboard.type('theme dark');
  await page.keyboard.press('Enter');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(22, 21, 20)');

  // pause the log, clear its filter, export it, a new rule
  await page.getByRole('tab', { name: 'Log' }).click();
  const log = page.getByRole('region', { name: 'Message log' });
  await log.getByLabel('Topic filter').fill('demo/humidity');
  await page.keyboard.press('Control+k');
  await page.keyboard.type('pause log');
  await page.keyboard.press('Enter');
  await expect(log.getByRole('button', { name: /Resume/ })).toBeVisible();
  await page.keyboard.press('Control+k');
  await page.keyboard.type('clear log filter');
  await page.keyboard.press('Enter');
  await expect(log.getByLabel('Topic filter')).toHaveValue('');
  await page.keyboard.press('Control+k');
  await page.keyboard.type('export csv');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status', { name: 'Export progress' })).toBeVisible();
  await page.keyboard.press('Control+k');
  await page.keyboard.type('new rule');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('form', { name: 'Rule editor' })).toBeVisible();

  // connect a profile from the palette
  await page.keyboard.press('Control+k');
  await page.keyboard.type('connect beekeeping');
  await expect(options.first().locator('.label')).toHaveText('Connect Beekeeping hive scales and weather station 2025');
  await page.keyboard.press('Enter');
  await expect(page.locator('li[data-profile="Beekeeping hive scales and weather station 2025"]')).toContainText(
    /connecting|reconnecting/,
  );

  // recent items first, newest on top, a topic among them
  await page.keyboard.press('Control+k');
  await expect(palette.getByText('Recent', { exact: true })).toBeVisible();
  await expect(options.nth(0)).toContainText('Disconnect Beekeeping');
  await expect(options.nth(1)).toContainText('New alert rule');
  await expect(options.nth(2)).toContainText('Export the log as CSV');
  await expect(palette.getByRole('option', { name: /demo\/humidity/ })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/palette-recent.png' });
  await page.keyboard.press('Escape');

  // Settings: the same choice, remembered across a reload
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await expect(settings.getByRole('radio', { name: 'Dark' })).toBeChecked();
  await settings.getByRole('radio', { name: 'Light' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(247, 247, 245)');
  // "follow the system" hands it back to the OS
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('dialog', { name: 'Settings' }).getByRole('radio', { name: 'Follow the system' }).check();
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(22, 21, 20)');
});

test('the topic search filters the tree as you type, highlights matches and keeps new matching topics coming', async ({
  app,
  page,
}) => {
  await page.goto(app.url);
  await publishInventory(page);
  const tree = page.getByRole('region', { name: 'Topic tree' });
  await expect(tree.locator('[data-topic="demo/inventory"]')).toBeVisible();
  await expect(tree.locator('[data-topic="demo/temperature"]')).toBeVisible();

  // "/" in the explorer goes to the search box
  await page.locator('body').press('/');
  const search = tree.getByRole('searchbox', { name: 'Search topics' });
  await expect(search).toBeFocused();
  await page.keyboard.type('HUM');
  await expect(tree.locator('[role="treeitem"]')).toHaveCount(2);
  await expect(tree.locator('[data-topic="demo"]')).toBeVisible();
  await expect(tree.locator('[data-topic="demo/humidity"] mark')).toHaveText('hum');
  await expect(tree.getByRole('status')).toHaveText('1 match');

  // a topic that appears while searching shows up when it matches, not when it does not
  const profiles = await callFromPage<{ id: string; builtIn?: boolean }[]>(page, 'profiles.list');
  const sandbox = profiles.find((p) => p.builtIn)!;
  await callFromPage(page, 'messages.publish', { profileId: sandbox.id, topic: 'demo/humidity_cellar', data: '61' });
  await callFromPage(page, 'messages.publish', { profileId: sandbox.id, topic: 'demo/pressure', data: '1013' });
  await expect(tree.locator('[data-topic="demo/humidity_cellar"]')).toBeVisible();
  await expect(tree.getByRole('status')).toHaveText('2 matches');
  await expect(tree.locator('[data-topic="demo/pressure"]')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/tree-search.png' });

  // Enter opens the first match; nothing matching says so; Escape brings the whole tree back
  await search.press('Enter');
  await expect(
    page.getByRole('region', { name: 'Topic explorer' }).getByRole('heading', { name: 'demo/humidity' }),
  ).toBeVisible();
  await search.fill('nothing-like-this');
  await expect(tree).toContainText('No topic of Sandbox (demo) matches “nothing-like-this”');
  await search.press('Escape');
  await expect(search).toHaveValue('');
  await expect(tree.locator('[data-topic="demo/pressure"]')).toBeVisible();
  await expect(tree.locator('[data-topic="demo/temperature"]')).toBeVisible();
});
