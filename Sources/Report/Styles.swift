// The report's only stylesheet, inlined in <head>: no web fonts, no framework, no URL.
// Screen: a white sheet on a grey desk, steps as framed panels. Phone: full width, tables
// scroll sideways. Print: no shadows, no page breaks inside figures and tables.
let reportCSS = #"""
:root {
  --ink: #1f2328; --muted: #57606a; --faint: #8c959f; --line: #d0d7de; --rule: #eaeef2;
  --soft: #f6f8fa; --desk: #eef0f3; --accent: #0969da;
  --ok: #1a7f37; --ok-bg: #dafbe1; --cache: #6639ba; --cache-bg: #f3eefc;
  --bad: #cf222e; --bad-bg: #ffebe9; --skip: #6e7781; --set-bg: #fff8c5; --set-line: #d4a72c;
  --paper: #fff; --stripe: #f8f9fb; --note-bg: #ddf4ff; --mark: #7d4e00; --error-ink: #82071e; --error-line: #ffcecb;
  --warn: #8a4600; --warn-bg: #fff1de; --warn-line: #e8912d; --inert: #8c959f; --inert-bg: #eef0f3;
  --question: #0969da; --question-bg: #f1f8ff; --answer: #1a7f37; --solution: #6639ba; --solution-bg: #f6f1ff;
  color-scheme: light dark;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--desk); color: var(--ink); font: 16px/1.6 var(--sans); }
.page { max-width: 1020px; margin: 28px auto; padding: 40px 56px 32px; background: var(--paper);
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
/* A summary of the notebook's steps (All runs) was not run: the accent, not a status colour. */
.step.summary { border-left-color: var(--accent); }
.step-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 14px; padding: 10px 16px; background: var(--soft); border-bottom: 1px solid var(--rule); border-radius: 0 7px 0 0; }
.step-title { font-size: 1.05rem; margin: 0; }
.step-meta { margin: 0; color: var(--muted); font-size: .86rem; font-variant-numeric: tabular-nums; }
.stage { font-family: var(--mono); font-weight: 600; font-size: .92em; color: var(--ink); border: 1px solid var(--line); border-radius: 4px; padding: 0 .4em; background: var(--paper); }
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
.param { position: relative; }
.param:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
.param .help { display: none; position: absolute; z-index: 5; left: 0; top: calc(100% + 4px); width: max-content; max-width: min(340px, 80vw);
  padding: 7px 10px; background: var(--ink); color: var(--paper); border-radius: 6px; font-size: .78rem; line-height: 1.45; box-shadow: 0 4px 14px rgba(0,0,0,.2); }
.param .help a { color: inherit; text-decoration: underline; }
.param .help .d { display: block; margin-top: 2px; opacity: .85; font-family: var(--mono); font-size: .95em; }
.param:hover .help, .param:focus .help, .param:focus-within .help { display: block; }
.param .mark { font-size: .78em; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; color: var(--mark); margin-left: 2px; }
.outputs { padding: 6px 16px 14px; }
.outputs > * { margin: 14px 0; }

/* Figures and tables */
figure { margin: 0; }
figcaption { font-weight: 600; font-size: .9rem; margin: 0 0 6px; color: var(--ink); }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: .875rem; line-height: 1.45; }
th, td { padding: 5px 12px; text-align: left; vertical-align: top; white-space: nowrap; }
td:last-child:not(.num) { white-space: normal; min-width: 12em; overflow-wrap: break-word; }
thead th { border-bottom: 2px solid var(--line); font-weight: 600; background: var(--paper); }
tbody td, tbody th { border-bottom: 1px solid var(--rule); }
tbody tr:nth-child(even) { background: var(--stripe); }
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
.note { margin: 8px 0; padding: 6px 12px; font-size: .9rem; background: var(--note-bg); border-left: 3px solid var(--accent); border-radius: 0 4px 4px 0; }
.warning { margin: 8px 0; padding: 6px 12px; font-size: .9rem; background: var(--warn-bg); color: var(--ink); border: 1px solid var(--warn-line);
  border-left: 4px solid var(--warn-line); border-radius: 0 4px 4px 0; }
.warning strong { color: var(--warn); text-transform: uppercase; font-size: .78em; letter-spacing: .05em; margin-right: 4px; }
.step.warned { border-left-color: var(--warn-line); }
.step.warned .status { color: var(--warn); background: var(--warn-bg); box-shadow: inset 0 0 0 1px var(--warn-line); }
.toc .warned .toc-meta { color: var(--warn); font-weight: 600; }
.param.inert { background: var(--inert-bg); border-style: dashed; border-color: var(--inert); color: var(--inert); }
.param.inert .k, .param.inert .v { color: var(--inert); text-decoration: line-through; text-decoration-thickness: 1px; }

/* Handout blocks: question, answer (the student's), solution (teacher's render only), note, warning */
.callout { margin: 16px 0; padding: 8px 14px 6px; border: 1px solid var(--rule); border-left: 4px solid var(--line); border-radius: 0 6px 6px 0; background: var(--soft); }
.callout-label { margin: 0 0 2px; font-size: .76rem; font-weight: 700; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
.callout-body > :first-child { margin-top: 0; }
.callout-body > :last-child { margin-bottom: 4px; }
.callout-body p { margin: .35em 0 .6em; }
.callout-body code { font-family: var(--mono); font-size: .88em; }
.callout-question { border-left-color: var(--question); background: var(--question-bg); }
.callout-question .callout-label { color: var(--question); }
.callout-answer { border: 1px dashed var(--answer); border-left: 4px solid var(--answer); background: var(--paper); }
.callout-answer .callout-label { color: var(--answer); }
.callout-answer .blank { color: var(--faint); font-style: italic; min-height: 3em; }
.callout-solution { border-left-color: var(--solution); background: var(--solution-bg); }
.callout-solution .callout-label { color: var(--solution); }
.callout-note { border-left-color: var(--accent); background: var(--note-bg); }
.callout-note .callout-label { color: var(--accent); }
.callout-warning { border-color: var(--warn-line); border-left-color: var(--warn-line); background: var(--warn-bg); }
.callout-warning .callout-label { color: var(--warn); }
.error { background: var(--bad-bg); border: 1px solid var(--error-line); border-left: 4px solid var(--bad); border-radius: 6px; padding: 8px 14px; }
.error-title { margin: 0 0 4px; color: var(--bad); font-weight: 700; }
.error pre { margin: 0; font-family: var(--mono); font-size: .84rem; white-space: pre-wrap; overflow-wrap: anywhere; color: var(--error-ink); }

/* Training timelapse: digit × epoch, green right, red wrong, deeper with confidence */
.timelapse th img { vertical-align: middle; image-rendering: pixelated; margin-right: 4px; background: #000; }
.timelapse .truth { color: var(--muted); font-weight: 400; }
.timelapse td.cell { text-align: center; font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; min-width: 4.5em; }
.timelapse td.cell.right { background: rgba(26,127,55,var(--alpha)); }
.timelapse td.cell.wrong { background: rgba(207,34,46,var(--alpha)); }
.timelapse td.cell.strong { color: #fff; }
.timelapse .conf { font-weight: 400; font-size: .85em; }

details.more { border: 1px solid var(--rule); border-radius: 6px; padding: 6px 12px; }
details.more > summary { cursor: pointer; font-weight: 600; font-size: .9rem; }
details.more[open] > summary { margin-bottom: 8px; }
details.more .heatmaps { display: flex; flex-wrap: wrap; gap: 10px; }

/* Expectations beside their step, and the class page */
.expectations { list-style: none; margin: 0; padding: 8px 16px 0; font-size: .86rem; }
.expectations li, .checks li { padding: 1px 0; }
.checks { list-style: none; margin: 0; padding: 0; white-space: normal; }
.ok { color: var(--ok); }
.bad { color: var(--bad); font-weight: 600; }
.grade tr.fail td:first-child { border-left: 3px solid var(--bad); }
.grade tr.pass td:first-child { border-left: 3px solid var(--ok); }

/* Glossary, linked from the parameter chips */
.glossary { margin-top: 36px; border-top: 1px solid var(--rule); padding-top: 8px; }
.glossary h2 { font-size: 1.35rem; }
.glossary dt { font-weight: 600; margin-top: 10px; scroll-margin-top: 12px; }
.glossary dt:target { background: var(--set-bg); }
.glossary dd { margin: 2px 0 0 0; color: var(--ink); }

/* Dark mode: the page follows the reader's setting; charts, diagrams and digits keep their light paper. */
@media (prefers-color-scheme: dark) {
  :root {
    --ink: #e6edf3; --muted: #9da7b1; --faint: #7d8590; --line: #3d444d; --rule: #30363d;
    --soft: #161b22; --desk: #010409; --accent: #4493f8; --paper: #0d1117; --stripe: #12171e;
    --ok: #3fb950; --ok-bg: #12261e; --cache: #ab7df8; --cache-bg: #211a33; --bad: #f85149; --bad-bg: #2d1214;
    --skip: #8b949e; --set-bg: #2e2a12; --set-line: #9e6a03; --note-bg: #0c2d4b; --mark: #e3b341;
    --error-ink: #ffa198; --error-line: #6e2b2b;
    --warn: #f0b045; --warn-bg: #2b1d0b; --warn-line: #b7701c; --inert: #6e7681; --inert-bg: #1c2128;
    --question: #4493f8; --question-bg: #0d1d33; --answer: #3fb950; --solution: #ab7df8; --solution-bg: #1d1630;
  }
  .chart, .heatmap, .diagram, .tile img { background: #fff; color: #1f2328; }
  .heatmap, .diagram { color-scheme: light; }
  .chart figcaption, .heatmap figcaption, .diagram figcaption { color: #57606a; }
}

.page-foot { margin-top: 36px; padding-top: 12px; border-top: 1px solid var(--rule); color: var(--faint); font-size: .8rem; }

@media (max-width: 720px) {
  body { background: var(--paper); }
  .page { margin: 0; padding: 18px 14px 24px; border-radius: 0; box-shadow: none; }
  .page-title { font-size: 1.55rem; }
  .step-head, .params, .outputs { padding-left: 10px; padding-right: 10px; }
  .charts { grid-template-columns: minmax(0, 1fr); }
  .tiles { grid-template-columns: repeat(auto-fill, minmax(52px, 1fr)); }
}

/* render --handout: compact, for paper; render --present: wide, large type and charts, for a projector */
/* rem follows the root: the class is on <html> too, so headings, tables and chips scale with the text */
html.layout-handout { font-size: 14px; }
html.layout-handout body { font-size: 14px; line-height: 1.5; }
.layout-handout .page { max-width: 860px; padding: 24px 32px; }
.layout-handout .charts { grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); }
.layout-handout .charts.single { grid-template-columns: minmax(0, 440px); }
.layout-handout .tiles { grid-template-columns: repeat(var(--cols), minmax(0, calc(var(--tile) * .6))); gap: 4px 3px; }
.layout-handout .tile img { max-width: calc(var(--tile) * .6); }
.layout-handout .heatmap, .layout-handout .diagram { max-width: 440px; }
.layout-handout .step { margin: 14px 0 18px; }
.layout-handout .outputs > * { margin: 8px 0; }
html.layout-present { font-size: 21px; }
html.layout-present body { font-size: 21px; }
.layout-present .page { max-width: 1560px; padding: 44px 64px; }
.layout-present .toc ol { columns: 3 300px; }
.layout-present .charts { grid-template-columns: repeat(auto-fit, minmax(600px, 1fr)); }
.layout-present .charts.single { grid-template-columns: minmax(0, 1100px); }
.layout-present .params { font-size: .9rem; }
.layout-present table { font-size: 1rem; }
.layout-present .tiles { grid-template-columns: repeat(var(--cols), minmax(0, calc(var(--tile) * 1.5))); }
.layout-present .tile img { max-width: calc(var(--tile) * 1.5); }
.layout-present .tile { font-size: .85rem; }
.layout-present .callout { font-size: 1.05em; }

@media (max-width: 720px) {
  .layout-present .page, .layout-handout .page { padding: 18px 14px 24px; }
  .layout-present .charts, .layout-handout .charts, .layout-present .charts.single { grid-template-columns: minmax(0, 1fr); }
  .layout-present .tiles, .layout-handout .tiles { grid-template-columns: repeat(auto-fill, minmax(52px, 1fr)); }
}

@media print {
  :root { --ink: #1f2328; --muted: #57606a; --paper: #fff; --soft: #f6f8fa; --rule: #eaeef2; --line: #d0d7de; --stripe: #f8f9fb; }
  body { background: #fff; color: #1f2328; font-size: 11pt; }
  .param .help { display: none !important; }
  .page { max-width: none; margin: 0; padding: 0; box-shadow: none; border-radius: 0; }
  a { color: inherit; }
  .step { break-inside: auto; }
  .step-head, .params { break-after: avoid; }
  figure, table, tr, .tile, pre, .note, .warning, .callout, .error, .params { break-inside: avoid; }
  .prose h1, .prose h2, .prose h3, figcaption { break-after: avoid; }
  .scroll, .diagram-body { overflow: visible; }
  .chart, .heatmap, .diagram { border-color: #ddd; }
  th, td { white-space: normal; }
}
"""#
