"""The web chat's stylesheet and script, handed to Gradio by `app.launch`.

The script makes one click on a citation marker open its reference, scroll to it and flash it.
"""

CSS = """
#chat .answer.error, .failed { color: #b91c1c; }
#chat .notice { font-style: italic; margin-top: .4em; }  #chat .refs-head { margin: .4em 0; }
#chat .refs { margin-top: .6em; border-top: 1px solid var(--border-color-primary); }
#chat a.cite, #chat .refs-head, #chat .ref-title { font-weight: 600; text-decoration: none; }
#chat details.ref { margin: .25em 0; padding: .1em .5em; border-left: 3px solid #cbd5e1; }
#chat details.ref[open] { border-left-color: #d97706; }  #chat summary { cursor: pointer; }
#chat blockquote.passage { margin: .3em 0 .3em .2em; font-size: .95em; }
#chat mark { background: #fde68a; color: #111827; padding: 0 2px; }
#chat details.ref.flash { animation: cite-flash 1.6s ease-out; }
@keyframes cite-flash { from { box-shadow: 0 0 0 3px #60a5fa; } to { box-shadow: none; } }
table.sources { width: 100%; } table.sources th, table.sources td { text-align: left; }
table.sources tr.child td:first-child { padding-left: 2em; }  #chat .pending { opacity: .7; }
table.compare-table { width: 100%; } table.compare-table td { vertical-align: top; }
table.compare-table tr.change:not(.unchanged) td.kind { font-weight: 600; color: #b45309; }
table.compare-table tr.added td.new, table.compare-table ins { background: #dcfce7; }
table.compare-table tr.removed td.old, table.compare-table del { background: #fee2e2; }
table.compare-table tr.moved td { background: #eff6ff; }  .compare-error { color: #b91c1c; }
"""

# One click on a marker opens its reference, scrolls to it and flashes it. Markers are plain
# `#id` links: Gradio's sanitizer keeps ids and fragment links, drops data-* and on* attributes.
HEAD = """<script>
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a.cite") : null;
  var target = link && document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault(); event.stopPropagation();
  target.open = true; target.scrollIntoView({block: "nearest", behavior: "smooth"});
  target.classList.remove("flash"); void target.offsetWidth; target.classList.add("flash");
}, true);
</script>"""
