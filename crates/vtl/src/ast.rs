//! The parsed form of a template: nodes of the text and the expressions inside directives.

use std::sync::Arc;

/// A line and column (both from 1) in the template source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A sequence of nodes, shared so `#define` blocks and macros can be held by values.
pub type Block = Arc<Vec<Node>>;

#[derive(Debug)]
pub enum Node {
    Text(String),
    /// A reference in the text, with the number of backslashes written before it.
    Ref {
        reference: Reference,
        escapes: usize,
    },
    Set {
        target: Reference,
        value: Expr,
    },
    If {
        branches: Vec<(Expr, Block)>,
        otherwise: Option<Block>,
    },
    Foreach {
        var: String,
        iterable: Expr,
        body: Block,
    },
    /// `#break`, or `#break($foreach.parent...)`: how many enclosing loops it leaves.
    Break(usize),
    Stop,
    Define {
        name: String,
        body: Block,
    },
    MacroCall {
        name: String,
        args: Vec<Expr>,
        source: String,
        pos: Pos,
    },
}

/// `$name.a.b(...)[i]`, as written (`source` is what an undefined reference renders as).
#[derive(Debug)]
pub struct Reference {
    pub quiet: bool,
    pub root: String,
    pub path: Vec<Access>,
    pub source: String,
    pub pos: Pos,
}

#[derive(Debug)]
pub enum Access {
    Property(String),
    Method(String, Vec<Expr>),
    Index(Expr),
}

#[derive(Debug)]
pub enum Expr {
    Ref(Reference),
    Str(String),
    /// A double-quoted string holding references or directives.
    Interpolated(Block),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    List(Vec<Expr>),
    Range(Box<Expr>, Box<Expr>),
    Map(Vec<(Expr, Expr)>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// A `#macro(name $a $b) ... #end` definition.
#[derive(Debug)]
pub struct Macro {
    pub params: Vec<String>,
    pub body: Block,
}
