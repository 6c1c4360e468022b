/**
 * Everything the command palette can do: go to a screen, open / connect / edit a profile, the log's
 * pause, filter and export, a new alert rule, the composer, the theme; and jump to any known topic.
 * Built from the app's state each time the palette looks (labels follow it: Connect vs Disconnect).
 */
import type { ProfileDTO } from '../../../../electron/api';
import { app, isLive, profileName, TABS } from '../../lib/state.svelte';
import { log } from '../../lib/log.svelte';
import { explorer } from '../../lib/explorer.svelte';
import { exportsState, type ExportFormat } from '../../lib/exports.svelte';
import { layout, setTheme } from '../../lib/layout.svelte';
import { THEMES } from '../../lib/layout';
import { fuzzyMatch, topMatches, type FuzzyQuery } from '../../lib/fuzzy';
import type { Command } from '../../lib/keys';
import { alerts } from '../alerts/alerts.svelte';
import { toggleSession } from '../connections/connect';
import { searchTerms } from '../../lib/tree';
import { treeSearch } from '../explorer/tree-search.svelte';

export interface ShellActions {
  focusLogFilter: () => void;
  openSettings: () => void;
  addProfile: () => void;
  editProfile: (p: ProfileDTO) => void;
  toggleComposer: () => void;
  failed: (e: unknown) => void;
}

/** A topic in the palette, with where the query matched its path. */
export interface RankedCommand {
  command: Command;
  positions: number[];
  score: number;
}

export function deskCommands(shell: ShellActions): Command[] {
  const commands: Command[] = TABS.map((t, i) => ({
    id: `tab-${t.id}`,
    label: `Go to ${t.label}`,
    hint: `Alt+${i + 1}`,
    run: () => (app.tab = t.id),
  }));
  for (const p of app.profiles) {
    commands.push(
      {
        id: `open-${p.id}`,
        group: 'Profile',
        label: `Open ${p.name}`,
        detail: 'its topics in the explorer',
        run: () => openProfile(p.id),
      },
      {
        id: `toggle-${p.id}`,
        group: 'Profile',
        label: `${isLive(p.id) ? 'Disconnect' : 'Connect'} ${p.name}`,
        run: () => void toggleSession(p.id).catch(shell.failed),
      },
    );
    if (!p.builtIn)
      commands.push({ id: `edit-${p.id}`, group: 'Profile', label: `Edit ${p.name}`, run: () => shell.editProfile(p) });
  }
  commands.push(
    { id: 'add-profile', label: 'Add a connection profile', run: shell.addProfile },
    { id: 'search-topics', label: 'Search the topic tree', hint: '/ in Explorer', run: () => focusTreeSearch() },
    { id: 'log-filter', label: 'Filter the log', hint: '/', run: shell.focusLogFilter },
    {
      id: 'log-clear-filter',
      label: 'Clear the log filter',
      detail: log.topicFilter || log.text ? `now: ${[log.topicFilter, log.text].filter(Boolean).join(' · ')}` : 'no filter set',
      run: () => ((app.tab = 'log'), void log.setFilter({ topicFilter: '', text: '' })),
    },
    {
      id: 'log-pause',
      label: log.paused ? 'Resume the log' : 'Pause the log',
      hint: 'Space in Log',
      run: () => log.setPaused(!log.paused),
    },
    ...(['csv', 'json', 'ndjson'] as ExportFormat[]).map((format) => ({
      id: `export-${format}`,
      label: `Export the log as ${format.toUpperCase()}`,
      detail: 'every stored message the filter matches',
      run: () => ((app.tab = 'log'), void exportsState.start(log.exportQuery(), format)),
    })),
    { id: 'new-rule', label: 'New alert rule', run: () => ((app.tab = 'alerts'), alerts.newRule()) },
    {
      id: 'composer',
      label: app.composerOpen ? 'Close the composer' : 'Open the composer',
      hint: 'Alt+P',
      run: shell.toggleComposer,
    },
    ...THEMES.map((t) => ({
      id: `theme-${t.id}`,
      label: `Theme: ${t.label.toLowerCase()}`,
      detail: layout.theme === t.id ? 'current' : undefined,
      run: () => setTheme(t.id),
    })),
    { id: 'settings', label: 'Settings', run: shell.openSettings },
  );
  return commands;
}

/** Shows a profile's topics in the explorer. */
export function openProfile(profileId: string): void {
  app.selectedProfileId = profileId;
  explorer.show(profileId);
  app.tab = 'explorer';
}

/** Opens a topic in the explorer: its profile shown, the levels above it unfolded, the row selected. */
export function openTopic(profileId: string, topic: string): void {
  openProfile(profileId);
  const node = explorer.tree(profileId).byPath.get(topic);
  if (!node) return;
  // a search that hides it would make the jump look like it did nothing
  if (!searchTerms(treeSearch.query).every((t) => node.key.includes(t))) treeSearch.query = '';
  for (let up = node.parent; up && up.depth >= 0; up = up.parent) explorer.toggle(up, true);
  explorer.select(node);
}

function focusTreeSearch(): void {
  app.tab = 'explorer';
  treeSearch.focusRequest++;
}

const TOPIC_PREFIX = 'topic:';

function topicCommand(profileId: string, topic: string): Command {
  return {
    id: `${TOPIC_PREFIX}${profileId}:${topic}`,
    group: 'Topic',
    label: topic,
    detail: profileName(profileId),
    run: () => openTopic(profileId, topic),
  };
}

/** A recent item's command again, when its profile and topic still exist. */
export function topicById(id: string): Command | undefined {
  if (!id.startsWith(TOPIC_PREFIX)) return undefined;
  const rest = id.slice(TOPIC_PREFIX.length);
  const cut = rest.indexOf(':');
  const profileId = rest.slice(0, cut);
  const topic = rest.slice(cut + 1);
  if (cut < 0 || !app.profiles.some((p) => p.id === profileId) || !explorer.tree(profileId).byPath.has(topic)) return undefined;
  return topicCommand(profileId, topic);
}

/** The best topics for a query over every profile's tree (topics with messages or declared resources). */
export function searchTopics(query: FuzzyQuery, limit: number): RankedCommand[] {
  const candidates = function* () {
    for (const p of app.profiles) {
      for (const node of explorer.tree(p.id).byPath.values()) if (node.stat || node.declared) yield { profileId: p.id, node };
    }
  };
  return topMatches(candidates(), (c) => fuzzyMatch(query, c.node.path, c.node.key), limit).map(({ item, match }) => ({
    command: topicCommand(item.profileId, item.node.path),
    positions: match.positions,
    score: match.score,
  }));
}
