//! DynamoDB expressions: tokenizer (`lexer`), parser and AST (`parser`),
//! substitution handling (`names`), reserved words (`reserved`), condition
//! evaluation and projection (`eval`), and update application (`update`).

pub mod eval;
pub mod lexer;
pub mod names;
pub mod parser;
pub mod reserved;
pub mod update;

#[cfg(test)]
mod tests;
