//! `cargo run -p helpdesk -- [--data DIR] [--database-url URL] [--schema NAME] [--empty] [--listen ADDR]`

use helpdesk::{Options, desk_loop, start_desk, web};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = match Options::parse(std::env::args().skip(1), std::env::var("DATABASE_URL").ok())
    {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let desk = start_desk(&options, desk_loop::system_clock())?;
    let app = web::router(web::AppState::new(desk)?);
    let listener = tokio::net::TcpListener::bind(&options.listen).await?;
    let store = if options.database_url.is_some() {
        format!(
            "PostgreSQL, schema {}",
            options.schema.as_deref().unwrap_or("fanatical")
        )
    } else {
        options.data.join("desk.sqlite").display().to_string()
    };
    println!(
        "helpdesk: desk on {store}; outgoing messages in {}",
        options.data.join("outbox").display()
    );
    println!("helpdesk: listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
