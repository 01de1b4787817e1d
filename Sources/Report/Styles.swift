// The report's only stylesheet, inlined in <head>: no web fonts, no framework, no URL.
// Screen: a white sheet on a grey desk, steps as framed panels. Phone: full width, tables
// scroll sideways. Print: no shadows, no page breaks inside figures and tables.
let reportCSS = #"""
:root {
  --ink: #1f2328; --muted: #57606a; --faint: #8c959f; --line: #d0d7de; --rule: #eaeef2;
  --soft: #f6f8fa; --desk: #eef0f3; --accent: #0969da;
  --ok: #1a7f37; --ok-bg: #dafbe1; --cache: #6639ba; --cache-bg: #f3eefc;
  --bad: #cf222e; --bad-bg: #ffebe9; --skip: #6e7781; --set-bg: #fff8c5; --set-line: #d4a72c;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--desk); color: var(--ink); font: 16px/1.6 var(--sans); }
.page { max-width: 1020px; margin: 28px auto; padding: 40px 56px 32px; background: #fff;
  border-radius: 10px; box-shadow: 0 1px 3px rgba(31,35,40,.08), 0 8px 24px rgba(31,35,40,.06); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }

/* Title block */
.page-head { border-bottom: 1px solid var(--rule); padding-bottom: 18px; margin-bottom: 22px; }
.page-title { font-size: 2rem; line-height: 1.2; margin: 0 0 6px; letter-spacing: -0.01em; }
.byline { margin: 0; color: var(--muted); font-size: 1.02rem; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 12px 0 0; font-size: .88rem; color: var(--muted); }
.meta div { display: flex; gap: 6px; }
.meta dt { font-weight: 600; }
.meta dt::after { content: ":"; }
.meta dd { margin: 0; font-variant-numeric: tabular-nums; }

/* Table of contents */
.toc { background: var(--soft); border: 1px solid var(--rule); border-radius: 8px; padding: 14px 20px 12px; margin: 0 0 30px; }
.toc-title { font-size: .8rem; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); margin: 0 0 6px; border: 0; padding: 0; }
.toc ol { list-style: none; margin: 0; padding: 0; columns: 2 300px; column-gap: 36px; font-size: .93rem; }
.toc li { break-inside: avoid; padding: 2px 0; }
.toc .toc-h1 { font-weight: 600; }
.toc .toc-h2 { padding-left: 14px; }
.toc .toc-h3 { padding-left: 28px; }
.toc .toc-h4 { padding-left: 42px; }
.toc .toc-step a { color: var(--ink); }
.toc .toc-step .stage { font-size: .82em; }
.toc-meta { color: var(--faint); font-size: .8em; }
.toc .status-failed .toc-meta { color: var(--bad); font-weight: 600; }

/* Prose rendered from Markdown */
.prose h1, .prose h2, .prose h3, .prose h4 { line-height: 1.25; margin: 1.6em 0 .55em; scroll-margin-top: 12px; }
.prose h1 { font-size: 1.7rem; }
.prose h2 { font-size: 1.35rem; padding-bottom: .25em; border-bottom: 1px solid var(--rule); }
.prose h3 { font-size: 1.12rem; }
.prose > :first-child { margin-top: 0; }
.prose p, .prose ul, .prose ol { margin: .6em 0 .9em; }
.prose img { max-width: 100%; height: auto; }
.prose code { font-family: var(--mono); font-size: .88em; background: var(--soft); padding: .1em .35em; border-radius: 4px; }
.prose pre { background: var(--soft); border: 1px solid var(--rule); border-radius: 6px; padding: 12px 14px; overflow-x: auto; }
.prose pre code { background: none; padding: 0; }
.prose blockquote { margin: 1em 0; padding: .2em 1em; color: var(--muted); border-left: 4px solid var(--line); }
.prose table { display: block; overflow-x: auto; }
.prose hr { border: 0; border-top: 1px solid var(--rule); margin: 2em 0; }

/* Steps */
.step { border: 1px solid var(--line); border-left: 4px solid var(--ok); border-radius: 8px; margin: 22px 0 28px; scroll-margin-top: 12px; }
.step.status-cached { border-left-color: var(--cache); }
.step.status-failed { border-left-color: var(--bad); }
.step.status-skipped { border-left-color: var(--faint); opacity: .85; }
.step-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 14px; padding: 10px 16px; background: var(--soft); border-bottom: 1px solid var(--rule); border-radius: 0 7px 0 0; }
.step-title { font-size: 1.05rem; margin: 0; }
.step-meta { margin: 0; color: var(--muted); font-size: .86rem; font-variant-numeric: tabular-nums; }
.stage { font-family: var(--mono); font-weight: 600; font-size: .92em; color: var(--ink); background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 0 .4em; }
.status { font-weight: 600; border-radius: 999px; padding: 0 .55em; }
.status-ran .status { color: var(--ok); background: var(--ok-bg); }
.status-cached .status { color: var(--cache); background: var(--cache-bg); }
.status-failed .status { color: var(--bad); background: var(--bad-bg); }
.status-skipped .status { color: var(--skip); background: var(--soft); }
.params { list-style: none; display: flex; flex-wrap: wrap; gap: 6px; margin: 0; padding: 12px 16px 4px; font-size: .8rem; }
.param { background: var(--soft); border: 1px solid var(--rule); border-radius: 5px; padding: 1px 8px; max-width: 100%; overflow-wrap: anywhere; }
.param .k { color: var(--muted); }
.param .k::after { content: ":"; }
.param .v { font-family: var(--mono); font-size: .95em; }
.param.set { background: var(--set-bg); border-color: var(--set-line); }
.param .mark { font-size: .78em; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; color: #7d4e00; margin-left: 2px; }
.outputs { padding: 6px 16px 14px; }
.outputs > * { margin: 14px 0; }

/* Figures and tables */
figure { margin: 0; }
figcaption { font-weight: 600; font-size: .9rem; margin: 0 0 6px; color: var(--ink); }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: .875rem; line-height: 1.45; }
th, td { padding: 5px 12px; text-align: left; vertical-align: top; white-space: nowrap; }
td:last-child:not(.num) { white-space: normal; min-width: 12em; overflow-wrap: break-word; }
thead th { border-bottom: 2px solid var(--line); font-weight: 600; background: #fff; }
tbody td, tbody th { border-bottom: 1px solid var(--rule); }
tbody tr:nth-child(even) { background: #f8f9fb; }
tfoot td { font-weight: 600; }
tfoot tr:first-child td { border-top: 2px solid var(--line); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.kv th { font-weight: 500; color: var(--muted); }
.kv td { font-variant-numeric: tabular-nums; }
.files td:first-child { font-family: var(--mono); font-size: .95em; }

.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 14px; align-items: start; }
.charts.single { grid-template-columns: minmax(0, 680px); }
.chart, .heatmap, .diagram { border: 1px solid var(--rule); border-radius: 6px; padding: 6px; background: #fff; }
svg { display: block; max-width: 100%; height: auto; }
.chart svg { width: 100%; }
.heatmap { width: fit-content; max-width: 100%; }
.diagram { width: fit-content; max-width: 100%; }
.diagram-body { overflow-x: auto; }
.diagram figcaption { text-align: center; font-weight: 400; color: var(--muted); margin: 6px 0 0; }

.tiles { display: grid; grid-template-columns: repeat(var(--cols), minmax(0, var(--tile))); gap: 8px 6px; }
.tile { text-align: center; font-size: .72rem; line-height: 1.25; color: var(--muted); font-variant-numeric: tabular-nums; }
.tile img { display: block; width: 100%; max-width: var(--tile); height: auto; margin: 0 auto 3px; image-rendering: pixelated; border-radius: 3px; outline: 2px solid transparent; outline-offset: -0px; }
.tile span { display: block; overflow-wrap: anywhere; }
.tile.wrong img { outline-color: var(--bad); }
.tile.wrong span { color: var(--bad); font-weight: 600; }

pre.code { font-family: var(--mono); font-size: .84rem; line-height: 1.5; background: var(--soft); border: 1px solid var(--rule); border-radius: 6px; padding: 10px 14px; overflow-x: auto; }
.note { margin: 8px 0; padding: 6px 12px; font-size: .9rem; background: #ddf4ff; border-left: 3px solid var(--accent); border-radius: 0 4px 4px 0; }
.error { background: var(--bad-bg); border: 1px solid #ffcecb; border-left: 4px solid var(--bad); border-radius: 6px; padding: 8px 14px; }
.error-title { margin: 0 0 4px; color: var(--bad); font-weight: 700; }
.error pre { margin: 0; font-family: var(--mono); font-size: .84rem; white-space: pre-wrap; overflow-wrap: anywhere; color: #82071e; }

.page-foot { margin-top: 36px; padding-top: 12px; border-top: 1px solid var(--rule); color: var(--faint); font-size: .8rem; }

@media (max-width: 720px) {
  body { background: #fff; }
  .page { margin: 0; padding: 18px 14px 24px; border-radius: 0; box-shadow: none; }
  .page-title { font-size: 1.55rem; }
  .step-head, .params, .outputs { padding-left: 10px; padding-right: 10px; }
  .charts { grid-template-columns: minmax(0, 1fr); }
  .tiles { grid-template-columns: repeat(auto-fill, minmax(52px, 1fr)); }
}

@media print {
  body { background: #fff; font-size: 11pt; }
  .page { max-width: none; margin: 0; padding: 0; box-shadow: none; border-radius: 0; }
  a { color: inherit; }
  .step { break-inside: auto; }
  .step-head, .params { break-after: avoid; }
  figure, table, tr, .tile, pre, .note, .error, .params { break-inside: avoid; }
  .prose h1, .prose h2, .prose h3, figcaption { break-after: avoid; }
  .scroll, .diagram-body { overflow: visible; }
  .chart, .heatmap, .diagram { border-color: #ddd; }
  th, td { white-space: normal; }
}
"""#
