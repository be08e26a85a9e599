//! DOT to SVG with `layout-rs`, a pure-Rust layout (no Graphviz to
//! install).

/// The SVG drawing of a DOT graph.
///
/// # Errors
/// The parser's message for DOT it cannot read, or a note that the
/// layout failed (it is third-party code: a panic inside it is caught
/// and reported rather than taking the page down).
pub fn from_dot(dot: &str) -> Result<String, String> {
    use layout::backends::svg::SVGWriter;
    use layout::gv::{DotParser, GraphBuilder};
    let dot = dot.to_owned();
    std::panic::catch_unwind(move || {
        let mut parser = DotParser::new(&dot);
        let graph = parser.process()?;
        let mut builder = GraphBuilder::new();
        builder.visit_graph(&graph);
        let mut visual = builder.get();
        let mut svg = SVGWriter::new();
        visual.do_it(false, false, false, &mut svg);
        Ok(svg.finalize())
    })
    .unwrap_or_else(|_| Err("the layout failed".to_owned()))
}
