/// The page's stylesheet: system fonts only (nothing is fetched), a fixed side navigation on wide
/// screens, and a dark variant that follows the reader's setting.
extension ReferencePage {
    static let style = """
        :root{--text:#1f2933;--muted:#5f6b7a;--line:#e3e7ec;--bg:#fff;--soft:#f6f8fa;--link:#1f5fa8;
        --get:#1b7f4c;--post:#1f5fa8;--patch:#9a6700;--delete:#b42318;--ok:#1b7f4c;--problem:#b42318}
        @media (prefers-color-scheme:dark){:root{--text:#e6e9ee;--muted:#9aa5b1;--line:#2d333b;--bg:#15181c;
        --soft:#1d2127;--link:#7fb0ea;--get:#5cc28c;--post:#7fb0ea;--patch:#e0b04a;--delete:#f08a80;--ok:#5cc28c;--problem:#f08a80}}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--text);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
        code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
        code{background:var(--soft);padding:.05em .3em;border-radius:4px}
        pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:.8em 1em;overflow:auto}
        pre code{background:none;padding:0}
        nav{position:fixed;top:0;left:0;bottom:0;width:270px;overflow:auto;padding:1.2em 1em;border-right:1px solid var(--line);font-size:.9em}
        nav .brand{font-weight:600;font-size:1.05em;margin:0 0 1em}
        nav h2{font-size:.75em;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:1.4em 0 .4em}
        nav ul{list-style:none;margin:0;padding:0}nav li{margin:.15em 0}nav a{color:var(--text)}
        main{margin-left:270px;max-width:980px;padding:2em 3em 4em}
        header h1{margin:.2em 0}
        .muted{color:var(--muted)}
        section.tag{border-top:1px solid var(--line);margin-top:2.5em;padding-top:.5em}
        section.tag>h2{font-size:1.5em}
        article{margin:2em 0 2.5em}
        article h3{font-size:1.1em;margin:0;display:flex;align-items:center;gap:.6em;flex-wrap:wrap}
        .path{font-size:1em;background:none;padding:0}
        .summary{margin:.3em 0 0;font-weight:600}
        .access{margin:.2em 0 .8em;color:var(--muted);font-size:.9em}
        h4{margin:1.2em 0 .4em;font-size:.95em}
        .method{display:inline-block;min-width:4.2em;text-align:center;font:600 .72em/1.8 ui-monospace,Menlo,Consolas,monospace;
        border:1px solid currentColor;border-radius:4px;margin-right:.5em;padding:0 .3em}
        .method.get{color:var(--get)}.method.post{color:var(--post)}.method.patch{color:var(--patch)}.method.delete{color:var(--delete)}
        table{border-collapse:collapse;width:100%;font-size:.92em;margin:.3em 0}
        th,td{text-align:left;vertical-align:top;border-bottom:1px solid var(--line);padding:.4em .6em .4em 0}
        th{color:var(--muted);font-weight:600;font-size:.85em}
        .req{color:var(--problem);font-size:.78em}
        .status{font:600 .9em ui-monospace,Menlo,Consolas,monospace}.status.ok{color:var(--ok)}.status.problem{color:var(--problem)}
        ul.media{margin:.2em 0;padding-left:1.2em}
        p.errors{font-size:.9em;color:var(--muted)}p.errors .status{margin-left:.35em}
        details{margin:.6em 0}summary{cursor:pointer;color:var(--muted);font-size:.9em}
        @media (max-width:860px){nav{position:static;width:auto;border-right:0;border-bottom:1px solid var(--line)}main{margin-left:0;padding:1.2em}}
        """
}
