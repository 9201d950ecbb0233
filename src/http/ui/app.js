// kx's dashboard: plain JavaScript over the JSON API, no build step. Every value from the
// API reaches the page as text (never as HTML), and every request goes to this origin.
(() => {
  'use strict';
  const main = document.getElementById('main');
  const TOKEN_KEY = 'kx-token';
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  const DAY = 86_400_000;

  /** An element with attributes and children; strings become text nodes. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  /** A scrolling table named `name`: its headers (a label, or [label, attributes]) and rows. */
  function dataTable(name, headers, rows) {
    const th = (c) => (Array.isArray(c) ? h('th', c[1], c[0]) : h('th', {}, c));
    return h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { 'data-table': name },
        h('thead', {}, h('tr', {}, headers.map(th))),
        h('tbody', {}, rows),
      ),
    );
  }

  class Unauthorized extends Error {}

  /**
   * GET a JSON route with the token the user gave, if any. Relative to the page, so that the
   * dashboard works behind a proxy that serves kx under a path (`https://host/kx/`).
   */
  async function api(path) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const res = await fetch(`.${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (res.status === 401) throw new Unauthorized();
    const body = await res.json();
    if (!res.ok) throw new Error(body.error ? body.error.message : `${path}: HTTP ${res.status}`);
    return body;
  }

  /** Saves what a route answers as a file: fetched with the token, which a plain link cannot send. */
  async function download(path, name) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const res = await fetch(`.${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const link = h('a', { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  const fmt = {
    number(value, digits = 2) {
      if (value === null || value === undefined) return '—';
      const n = Number(value);
      if (n !== 0 && Math.abs(n) < 0.01) return n.toPrecision(3);
      return n.toLocaleString('en-US', { maximumFractionDigits: digits });
    },
    usd(value) {
      return value === null || value === undefined ? '—' : `$${fmt.number(value, 6)}`;
    },
    big(value) {
      if (value === null || value === undefined) return '—';
      const n = Number(value);
      for (const [size, unit] of [
        [1e12, 'T'],
        [1e9, 'B'],
        [1e6, 'M'],
      ])
        if (Math.abs(n) >= size) return `$${(n / size).toFixed(2)}${unit}`;
      return `$${fmt.number(n, 0)}`;
    },
    percent(value) {
      return value === null || value === undefined ? '—' : `${(Number(value) * 100).toFixed(2)}%`;
    },
    age(iso) {
      if (!iso) return '—';
      const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
      if (s < 90) return `${Math.round(s)} s ago`;
      if (s < 5400) return `${Math.round(s / 60)} min ago`;
      if (s < 129600) return `${Math.round(s / 3600)} h ago`;
      return `${Math.round(s / 86400)} d ago`;
    },
    duration(ms) {
      if (ms === null || ms === undefined) return '—';
      return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
    },
  };

  const statusClass = (status) =>
    status === 'succeeded' ? 'ok' : status === 'failed' || status === 'abandoned' ? 'bad' : 'warn';
  const runLink = (run) => h('a', { href: `#/runs/${run.id}` }, `#${run.id}`);
  const runMs = (run) =>
    run.finished_at ? Date.parse(run.finished_at) - Date.parse(run.started_at) : null;

  /** A uPlot chart into `parent`, sized to it. */
  function chart(parent, title, series, data, options = {}) {
    const box = h('div', { class: 'chart', role: 'img', 'aria-label': title });
    parent.append(box);
    const styles = getComputedStyle(document.documentElement);
    const axis = {
      stroke: styles.getPropertyValue('--muted').trim() || '#666',
      grid: { stroke: styles.getPropertyValue('--line').trim() || '#ddd', width: 1 },
      ticks: { stroke: styles.getPropertyValue('--line').trim() || '#ddd' },
    };
    const width = Math.max(300, Math.min(box.clientWidth || parent.clientWidth || 600, 1160));
    return new uPlot(
      {
        title,
        width,
        height: options.height || 260,
        series: [{}, ...series],
        axes: [axis, { ...axis, size: 70, ...(options.yAxis || {}) }],
        scales: options.scales || {},
        legend: { live: false },
      },
      data,
      box,
    );
  }

  // ---- pages ----

  async function overview() {
    const [stats, runs] = await Promise.all([api('/stats'), api('/runs?limit=200')]);
    const s = stats.data;
    const sum = (pick) => s.sources.reduce((n, src) => n + pick(src), 0);
    const page = [
      h('h1', {}, 'Overview'),
      h(
        'div',
        { class: 'totals' },
        [
          ['assets', s.assets],
          ['listings', sum((src) => src.listings)],
          ['quotes', sum((src) => src.quotes)],
          ['rejected', sum((src) => src.records.rejected)],
        ].map(([label, value]) =>
          h(
            'div',
            { class: 'total', 'data-total': label },
            h('b', {}, fmt.number(value, 0)),
            label,
          ),
        ),
      ),
      h(
        'p',
        { class: 'muted' },
        `Database: ${s.database.driver}${s.database.location ? ` (${s.database.location})` : ''}`,
      ),
      h(
        'div',
        { class: 'cards' },
        s.sources.map((src) => {
          const run = src.last_run;
          const budget = src.calls.budget;
          const newest = src.checkpoints
            .map((c) => c.updated_at)
            .sort()
            .at(-1);
          return h(
            'section',
            { class: 'card', 'data-source': src.source },
            h('h3', {}, src.source),
            run
              ? h(
                  'p',
                  {},
                  'Last run ',
                  runLink(run),
                  ': ',
                  h('span', { class: statusClass(run.status) }, run.status),
                  `, ${fmt.age(run.finished_at || run.started_at)}, ${fmt.number(run.fetched, 0)} records in ${fmt.duration(runMs(run))}`,
                )
              : h('p', { class: 'muted' }, 'Never run'),
            h(
              'p',
              { class: 'muted' },
              `${src.runs.total} runs (${src.runs.failed} failed), ${fmt.number(src.listings, 0)} listings, ` +
                `${src.checkpoints.length} checkpoint${src.checkpoints.length === 1 ? '' : 's'}` +
                (newest ? ` (newest ${fmt.age(newest)})` : ''),
            ),
            src.schedule
              ? h(
                  'p',
                  {},
                  `Every ${fmt.duration(src.schedule.every_ms)}, next ${src.schedule.next_at ? new Date(src.schedule.next_at).toLocaleTimeString() : 'soon'}`,
                )
              : null,
            h(
              'p',
              { class: 'muted' },
              `Calls this month: ${src.calls.used}${budget ? ` of ${budget}` : ''}`,
            ),
            src.resumable_runs.length
              ? h('p', { class: 'bad' }, `${src.resumable_runs.length} run(s) to resume: kx resume`)
              : null,
          );
        }),
      ),
      h('h2', {}, 'Runs'),
    ];
    main.replaceChildren(...page);
    const list = runs.data.slice().reverse();
    if (list.length > 0) {
      const sources = [...new Set(list.map((r) => r.source))];
      const xs = list.map((r) => Date.parse(r.started_at) / 1000);
      const seconds = (r) => (runMs(r) === null ? null : runMs(r) / 1000);
      const series = sources.map((name, i) => ({
        label: name,
        stroke: COLORS[i % COLORS.length],
        width: 0,
        points: { show: true, size: 8, fill: COLORS[i % COLORS.length] },
      }));
      series.push({
        label: 'failed',
        stroke: '#c62828',
        width: 0,
        points: { show: true, size: 12, fill: 'transparent', stroke: '#c62828', width: 2 },
      });
      const data = [
        xs,
        ...sources.map((name) => list.map((r) => (r.source === name ? seconds(r) : null))),
        list.map((r) =>
          r.status === 'failed' || r.status === 'abandoned' ? seconds(r) || 0 : null,
        ),
      ];
      chart(main, 'Run duration (s) by start time', series, data);
    }
    main.append(
      dataTable(
        'runs',
        ['run', 'source', 'status', 'started', 'duration', 'read', 'loaded', 'rejected'],
        runs.data
          .slice(0, 20)
          .map((r) =>
            h(
              'tr',
              {},
              h('td', {}, runLink(r)),
              h('td', {}, r.source),
              h('td', { class: statusClass(r.status) }, r.status),
              h('td', {}, fmt.age(r.started_at)),
              h('td', { class: 'num' }, fmt.duration(runMs(r))),
              h('td', { class: 'num' }, fmt.number(r.fetched, 0)),
              h('td', { class: 'num' }, fmt.number(r.loaded, 0)),
              h('td', { class: 'num' }, fmt.number(r.rejected, 0)),
            ),
          ),
      ),
    );
  }

  const SORTS = [
    ['-market_cap_usd', 'market cap'],
    ['rank', 'rank'],
    ['-spread', 'spread'],
    ['-price_usd', 'price'],
    ['symbol', 'symbol'],
  ];

  async function assets(params) {
    const q = params.get('q') || '';
    const sort = params.get('sort') || '-market_cap_usd';
    const cursor = params.get('cursor');
    const query = new URLSearchParams({ sort, limit: '50' });
    if (q) query.set('q', q);
    if (cursor) query.set('cursor', cursor);
    const body = await api(`/assets?${query}`);
    const go = (changes) => {
      const next = new URLSearchParams({ q, sort, ...changes });
      for (const [key, value] of [...next]) if (!value) next.delete(key);
      location.hash = `#/assets?${next}`;
    };
    const search = h('input', {
      type: 'search',
      name: 'q',
      value: q,
      placeholder: 'name or symbol',
      'aria-label': 'Search by name or symbol',
    });
    main.replaceChildren(
      h('h1', {}, 'Assets'),
      h(
        'form',
        {
          class: 'controls',
          role: 'search',
          onsubmit: (e) => {
            e.preventDefault();
            go({ q: search.value.trim(), cursor: '' });
          },
        },
        search,
        h('button', { type: 'submit' }, 'Search'),
        h('span', { class: 'muted' }, 'Sort by'),
        SORTS.map(([value, label]) =>
          h(
            'button',
            {
              type: 'button',
              'aria-pressed': String(sort === value),
              onclick: () => go({ sort: value, cursor: '' }),
            },
            label,
          ),
        ),
      ),
      dataTable(
        'assets',
        [
          'symbol',
          'name',
          'sources',
          ['price (consensus)', { class: 'num' }],
          ['spread', { class: 'num' }],
          ['market cap', { class: 'num' }],
          ['rank', { class: 'num' }],
        ],
        body.data.map((a) =>
          h(
            'tr',
            { 'data-asset': a.id },
            h('td', {}, h('a', { href: `#/assets/${a.id}` }, a.symbol)),
            h('td', {}, a.name || '—'),
            h('td', {}, `${a.sources.length}: ${a.sources.join(', ')}`),
            h('td', { class: 'num' }, fmt.usd(a.price_usd)),
            h('td', { class: 'num' }, fmt.percent(a.spread)),
            h('td', { class: 'num' }, fmt.big(a.market_cap_usd)),
            h('td', { class: 'num' }, a.rank ?? '—'),
          ),
        ),
      ),
      h(
        'div',
        { class: 'controls' },
        cursor
          ? h('button', { type: 'button', onclick: () => go({ cursor: '' }) }, 'First page')
          : null,
        body.pagination.next_cursor
          ? h(
              'button',
              { type: 'button', onclick: () => go({ cursor: body.pagination.next_cursor }) },
              'Next page',
            )
          : null,
      ),
    );
  }

  const RANGES = [
    ['7d', 7 * DAY],
    ['30d', 30 * DAY],
    ['1y', 365 * DAY],
    ['all', null],
  ];
  /** Buckets whose sources part by more than this are highlighted. */
  const DIVERGENT = 0.02;

  async function asset(id, params) {
    const interval = params.get('interval') || '1d';
    const range = params.get('range') || '1y';
    const detail = (await api(`/assets/${id}`)).data;
    const sources = [...new Set(detail.listings.map((l) => l.source))];
    // The window ends at the coin's newest observation, so old data still shows.
    const newest = Math.max(...detail.listings.map((l) => Date.parse(l.observed_at)));
    const to = new Date((Number.isFinite(newest) ? newest : Date.now()) + 1000);
    const span = RANGES.find(([name]) => name === range)[1];
    const from = span ? new Date(to.getTime() - span) : new Date('2009-01-03T00:00:00Z');
    const window = `from=${from.toISOString()}&to=${to.toISOString()}&interval=${interval}`;
    const [history, divergence] = await Promise.all([
      api(
        `/assets/${id}/quotes?${window}&limit=5000&source=${[...sources, 'consensus'].join(',')}`,
      ),
      sources.length > 1 ? api(`/assets/${id}/divergence?${window}&limit=5000`) : null,
    ]);
    const go = (changes) => {
      const next = new URLSearchParams({ interval, range, ...changes });
      location.hash = `#/assets/${id}?${next}`;
    };
    main.replaceChildren(
      h('p', {}, h('a', { href: '#/assets' }, '← Assets')),
      h(
        'h1',
        {},
        `${detail.symbol} · ${detail.name || 'no name'} `,
        h('span', { class: 'muted' }, `asset ${id}`),
      ),
      h(
        'div',
        { class: 'controls', role: 'group', 'aria-label': 'Interval and range' },
        ['1h', '1d', '1w'].map((value) =>
          h(
            'button',
            {
              type: 'button',
              'aria-pressed': String(interval === value),
              onclick: () => go({ interval: value }),
            },
            value,
          ),
        ),
        h('span', { class: 'muted' }, '·'),
        RANGES.map(([name]) =>
          h(
            'button',
            {
              type: 'button',
              'aria-pressed': String(range === name),
              onclick: () => go({ range: name }),
            },
            name,
          ),
        ),
      ),
    );
    const rows = history.data;
    if (history.pagination.has_more)
      main.append(
        h(
          'p',
          { class: 'warn', role: 'note' },
          `Showing the first ${rows.length} buckets of this range: choose a longer interval or a shorter range to see all of it.`,
        ),
      );
    const buckets = [...new Set(rows.map((r) => r.bucket))].sort();
    const names = [...sources, 'consensus'];
    if (buckets.length === 0) {
      main.append(h('p', { class: 'muted', 'data-empty': 'history' }, 'No quotes in this range.'));
    } else {
      const at = new Map(buckets.map((b, i) => [b, i]));
      const lines = names.map(() => buckets.map(() => null));
      for (const r of rows)
        lines[names.indexOf(r.source)][at.get(r.bucket)] =
          r.close === null ? null : Number(r.close);
      chart(
        main,
        `${detail.symbol} close (USD) per ${interval}`,
        names.map((name, i) => ({
          label: name,
          stroke: name === 'consensus' ? '#888' : COLORS[i % COLORS.length],
          width: name === 'consensus' ? 2 : 1.5,
          dash: name === 'consensus' ? [6, 4] : undefined,
          spanGaps: true,
          points: { show: buckets.length < 60 },
        })),
        [buckets.map((b) => Date.parse(b) / 1000), ...lines],
      );
    }
    if (divergence && divergence.data.length > 0) {
      const d = divergence.data;
      const worst = d.reduce((a, b) => (Number(b.divergence) > Number(a.divergence) ? b : a));
      main.append(h('h2', {}, 'Where the sources disagree'));
      chart(
        main,
        'Divergence: (high − low) / median close',
        [{ label: 'divergence', stroke: '#9a6700', fill: 'rgba(154,103,0,0.15)', width: 1.5 }],
        [
          d.map((r) => Date.parse(r.bucket) / 1000),
          d.map((r) => (r.divergence === null ? null : Number(r.divergence) * 100)),
        ],
        { height: 160, yAxis: { values: (_u, ticks) => ticks.map((t) => `${t}%`) } },
      );
      main.append(
        h(
          'p',
          {},
          `Largest: ${fmt.percent(worst.divergence)} on ${worst.bucket.slice(0, 10)} (${worst.low_source} ${fmt.usd(worst.low)} vs ${worst.high_source} ${fmt.usd(worst.high)}).`,
        ),
        dataTable(
          'divergence',
          ['bucket', 'low', 'high', 'divergence'],
          d
            .filter((r) => Number(r.divergence) > DIVERGENT)
            .slice(-20)
            .map((r) =>
              h(
                'tr',
                { class: 'diverge' },
                h('td', {}, r.bucket),
                h('td', {}, `${r.low_source} ${fmt.usd(r.low)}`),
                h('td', {}, `${r.high_source} ${fmt.usd(r.high)}`),
                h('td', { class: 'num' }, fmt.percent(r.divergence)),
              ),
            ),
        ),
      );
    }
    main.append(
      h('h2', {}, 'Listings'),
      dataTable(
        'listings',
        ['listing', 'price', 'market cap', 'observed', 'match', 'confidence'],
        detail.listings.map((l) =>
          h(
            'tr',
            {},
            h('td', {}, `${l.source}:${l.source_id}`),
            h('td', { class: 'num' }, fmt.usd(l.price_usd)),
            h('td', { class: 'num' }, fmt.big(l.market_cap_usd)),
            h('td', {}, l.observed_at),
            h('td', {}, l.match.method),
            h('td', { class: 'num' }, fmt.number(l.match.confidence)),
          ),
        ),
      ),
      h(
        'p',
        { class: 'muted' },
        'A listing on the wrong coin? Pin it: ',
        h('code', {}, `kx link <source>:<id> ${id}`),
        ' or detach it: ',
        h(
          'code',
          {},
          `kx unlink ${detail.listings[0] ? `${detail.listings[0].source}:${detail.listings[0].source_id}` : '<source>:<id>'}`,
        ),
      ),
    );
  }

  async function run(id) {
    const r = (await api(`/runs/${id}`)).data;
    // The run before it of the same stream: a CSV run is compared with the last run of its own
    // file, not with whatever file the source read before.
    const earlier = (await api(`/runs?source=${encodeURIComponent(r.source)}&limit=500`)).data.find(
      (x) => x.id < r.id && x.stream_key === r.stream_key,
    );
    const comparison = earlier ? await api(`/runs/compare?a=${earlier.id}&b=${r.id}`) : null;
    main.replaceChildren(
      h('p', {}, h('a', { href: '#/' }, '← Overview')),
      h(
        'h1',
        {},
        `${r.source} run #${r.id} `,
        h('span', { class: statusClass(r.status) }, r.status),
      ),
      h(
        'div',
        { class: 'totals' },
        ['fetched', 'loaded', 'unchanged', 'rejected'].map((k) =>
          h('div', { class: 'total', 'data-total': k }, h('b', {}, fmt.number(r[k], 0)), k),
        ),
        h('div', { class: 'total' }, h('b', {}, fmt.duration(runMs(r))), 'duration'),
      ),
      r.error ? h('p', { class: 'bad' }, `${r.error.code}: ${r.error.message || ''}`) : null,
      r.warnings.length ? h('h2', {}, 'Warnings') : null,
      r.warnings.length
        ? h(
            'ul',
            {},
            r.warnings.map((w) => h('li', {}, w)),
          )
        : null,
      h('h2', {}, 'Attempts'),
      dataTable(
        'attempts',
        ['attempt', 'trigger', 'status', 'records', 'error', 'started'],
        r.attempts_detail.map((a) =>
          h(
            'tr',
            {},
            h('td', {}, a.attempt),
            h('td', {}, a.trigger),
            h('td', { class: statusClass(a.status) }, a.status),
            h('td', { class: 'num' }, fmt.number(a.records, 0)),
            h('td', {}, a.error ? `${a.error.code}: ${a.error.message || ''}` : ''),
            h('td', {}, a.started_at),
          ),
        ),
      ),
      h(
        'h2',
        {},
        `Rejected records${r.rejected > r.rejected_sample.length ? ` (first ${r.rejected_sample.length} of ${r.rejected})` : ''}`,
      ),
      r.rejected > 0 &&
        h(
          'p',
          {},
          h(
            'button',
            {
              type: 'button',
              'data-download': 'rejected',
              onclick: () =>
                download(`/runs/${r.id}/rejected?format=csv`, `kx-run-${r.id}-rejected.csv`),
            },
            `Download all ${fmt.number(r.rejected, 0)} as CSV`,
          ),
          ' with each record as its source gave it (also ',
          h('code', {}, `kx export rejected --run ${r.id}`),
          ')',
        ),
      r.rejected_sample.length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : dataTable(
            'rejected',
            ['where', 'id', 'field', 'reason'],
            r.rejected_sample.map((x) =>
              h(
                'tr',
                {},
                h(
                  'td',
                  {},
                  Object.entries(x.locator)
                    .map(([k, v]) => `${k} ${v}`)
                    .join(', '),
                ),
                h('td', {}, x.source_id || '—'),
                h('td', {}, x.field || '—'),
                h('td', {}, x.reason),
              ),
            ),
          ),
      h('h2', {}, 'Compared with the previous run of its stream'),
      comparison
        ? h(
            'div',
            { 'data-comparison': earlier.id },
            h('p', {}, 'Against ', runLink(earlier), ':'),
            readOnFrom(comparison.data.b),
            comparison.data.anomalies.length === 0
              ? h('p', { class: 'ok' }, 'No anomalies.')
              : h(
                  'ul',
                  {},
                  comparison.data.anomalies.map((a) => h('li', { class: 'warn' }, a.message)),
                ),
          )
        : h(
            'p',
            { class: 'muted' },
            `No earlier run of its stream (${r.stream_key}) among the last 500 of ${r.source}.`,
          ),
    );
  }

  /** What a run that read on from a checkpoint is taken as: its stream's runs back to the first. */
  function readOnFrom(side) {
    if (side.continues_run_id === null) return null;
    const { runs, first_run_id: first } = side.stream;
    return h(
      'p',
      { class: 'muted', 'data-read-on-from': side.continues_run_id },
      'It read on from the checkpoint of ',
      runLink({ id: side.continues_run_id }),
      `, so it is taken with the ${fmt.number(runs, 0)} runs of its stream back to `,
      runLink({ id: first }),
      `: ${fmt.number(side.stream.fetched, 0)} records.`,
    );
  }

  function askForToken(retry) {
    const input = h('input', {
      type: 'password',
      name: 'token',
      autocomplete: 'off',
      'aria-label': 'API token',
      required: true,
    });
    main.replaceChildren(
      h('h1', {}, 'This kx needs its API token'),
      h('p', {}, 'kx serve was started with KX_API_TOKEN. The token stays in this tab only.'),
      h(
        'form',
        {
          class: 'controls',
          onsubmit: (e) => {
            e.preventDefault();
            sessionStorage.setItem(TOKEN_KEY, input.value.trim());
            retry();
          },
        },
        input,
        h('button', { type: 'submit' }, 'Show the data'),
      ),
    );
    input.focus();
  }

  async function route() {
    const [path, query] = location.hash.replace(/^#/, '').split('?');
    const params = new URLSearchParams(query || '');
    let m;
    try {
      if (!path || path === '/') await overview();
      else if (path === '/assets') await assets(params);
      else if ((m = /^\/assets\/(\d+)$/.exec(path))) await asset(m[1], params);
      else if ((m = /^\/runs\/(\d+)$/.exec(path))) await run(m[1]);
      else
        main.replaceChildren(
          h('h1', {}, 'Not found'),
          h('p', {}, h('a', { href: '#/' }, 'Overview')),
        );
    } catch (error) {
      if (error instanceof Unauthorized) {
        if (sessionStorage.getItem(TOKEN_KEY)) {
          sessionStorage.removeItem(TOKEN_KEY);
          askForToken(route);
          main.prepend(h('p', { class: 'bad', role: 'alert' }, 'That token was refused.'));
        } else askForToken(route);
        return;
      }
      main.replaceChildren(
        h('h1', {}, 'Something went wrong'),
        h('p', { class: 'bad', role: 'alert' }, error.message),
      );
    }
  }

  window.addEventListener('hashchange', route);
  route();
})();
