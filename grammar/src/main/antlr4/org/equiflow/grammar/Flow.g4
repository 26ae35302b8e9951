// The .flow language: theories, priors, nets, masks, flows and run blocks.
// The grammar is deliberately permissive where the checker can say more than a parser:
// field kinds, type names, setting names and statement placement are validated in the
// compiler, which knows the legal alternatives and can list them in a `help:` line.
grammar Flow;

program : item* EOF ;

item
    : useDecl
    | theoryDecl
    | flowDef
    | netDef
    | maskDef
    | externDef
    | letDecl
    | runBlock
    ;

// ---- modules --------------------------------------------------------------------------

// use std.theories.phi4 | use std.gauge.{a, b} | use std.nets.* | use ./local.flow
useDecl
    : USE modulePath                                        # useModule
    | USE PATH                                              # useFile
    ;
modulePath : ID (DOT ID)* (DOT (LBRACE ID (COMMA ID)* COMMA? RBRACE | STAR))? ;

// ---- theories -------------------------------------------------------------------------

// `theory phi4(…) { … }` defines a theory, `theory T = phi4(…)` instantiates one; the choice
// is made after the name, so a mistake there is reported as "expected `(` or `=`".
theoryDecl : THEORY ID (theoryDef | theoryInst) ;
theoryDef  : LPAREN params? RPAREN LBRACE theoryMember* RBRACE ;
theoryInst : ASSIGN expr ;

theoryMember
    : FIELD ID COLON fieldType                              # fieldDecl
    | ACTION expr                                           # actionDecl
    | SYMMETRY ID (COLON ID ARROW expr)?                    # symmetryDecl
    | OBSERVABLE ID ASSIGN expr                             # observableDecl
    | LET ID ASSIGN expr                                    # theoryLet
    ;

// real on sites | U(1) on links | SU(3) on links
fieldType : kind=ID (LPAREN INT RPAREN)? ON place=ID ;

// ---- flows, nets, masks, primitives ------------------------------------------------------

flowDef : FLOW ID (LPAREN params? RPAREN)? FOR ID (EQUIVARIANT ID (COMMA ID)*)? block ;

netDef  : NET ID LPAREN params? RPAREN block ;

maskDef : MASK ID LPAREN params? RPAREN ASSIGN expr ;

// A primitive implemented in Java, declared with its signature and its properties:
//   extern activation tanh() is odd
//   extern function plaquette(U: links, x: site, mu: dir, nu: dir): group
externDef : EXTERN kind=name fn=name LPAREN params? RPAREN (COLON typeRef)? (IS ID (COMMA ID)*)? ;

letDecl : LET ID ASSIGN expr ;

block : LBRACE stmt* RBRACE ;

stmt
    : PRIOR expr SEMI?                                      # priorStmt
    | REPEAT ID IN expr RANGE expr block                    # repeatStmt
    | FOR ID IN expr block                                  # forStmt
    | SYMMETRIZE ID (COMMA ID)* SEMI?                       # symmetrizeStmt
    | LET ID ASSIGN expr SEMI?                              # letStmt
    | expr SEMI?                                            # exprStmt
    ;

params : param (COMMA param)* COMMA? ;
param  : name COLON typeRef (ASSIGN expr)? ;

// int | real | [int] | list[int] | net | int? (optional, no default)
typeRef
    : typeRef QUESTION                                      # optionalType
    | LBRACK typeRef RBRACK                                 # listType
    | name (LBRACK typeRef RBRACK)?                         # namedType
    ;

// ---- run settings ---------------------------------------------------------------------

// train realnvp { batch 64 ... } | sample realnvp { ... } | hmc T { ... }
runBlock : kind=(TRAIN | SAMPLE | HMC) ID LBRACE setting* RBRACE ;
setting  : name expr (COMMA expr)* SEMI? ;

// ---- expressions ----------------------------------------------------------------------

expr
    : expr LBRACK expr (COMMA expr)* RBRACK                 # indexExpr
    | expr LPAREN args? RPAREN                              # callExpr
    | expr DOT name                                         # memberExpr
    | <assoc = right> expr CARET expr                       # powerExpr
    | op = (MINUS | PLUS | NOT) expr                        # unaryExpr
    | expr op = (STAR | SLASH | PERCENT) expr               # mulExpr
    | expr op = (PLUS | MINUS) expr                         # addExpr
    | expr op = (LT | LE | GT | GE | EQ | NE) expr          # compareExpr
    | expr op = AND expr                                    # andExpr
    | expr op = OR expr                                     # orExpr
    | expr THEN expr                                        # composeExpr
    | reducer = ID binder LBRACE expr RBRACE                # reduceExpr
    | LPAREN expr COMMA expr (COMMA expr)* RPAREN           # tupleExpr
    | LPAREN expr RPAREN                                    # parenExpr
    | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK            # listExpr
    | INT                                                   # intLit
    | REAL                                                  # realLit
    | (TRUE | FALSE)                                        # boolLit
    | exprName                                              # nameExpr
    ;

// sum x { … } | sum mu < nu { … } | sum x in sites { … }
binder : ID (LT ID)? (IN place = name)? ;

args : arg (COMMA arg)* COMMA? ;
arg  : (name ASSIGN)? expr ;

// Words that are keywords at the start of a declaration or statement but ordinary names
// elsewhere: `affine(mask = …, net = …)`, `param: mask`, `extern prior normal(…)`.
name     : ID | MASK | NET | PRIOR | FIELD | ACTION | SYMMETRY | OBSERVABLE | THEORY | FLOW
         | TRAIN | SAMPLE | HMC ;
// In expressions `prior` stays a keyword: a flow body statement `prior normal()` must not
// read as the name `prior` followed by a call.
exprName : ID | MASK | NET | FIELD | ACTION | SYMMETRY | OBSERVABLE | THEORY | FLOW
         | TRAIN | SAMPLE | HMC ;

// ---- lexer ----------------------------------------------------------------------------

USE        : 'use' ;
THEORY     : 'theory' ;
FIELD      : 'field' ;
ACTION     : 'action' ;
SYMMETRY   : 'symmetry' ;
OBSERVABLE : 'observable' ;
FLOW       : 'flow' ;
NET        : 'net' ;
MASK       : 'mask' ;
EXTERN     : 'extern' ;
PRIOR      : 'prior' ;
REPEAT     : 'repeat' ;
FOR        : 'for' ;
IN         : 'in' ;
ON         : 'on' ;
IS         : 'is' ;
LET        : 'let' ;
EQUIVARIANT: 'equivariant' ;
SYMMETRIZE : 'symmetrize' ;
TRAIN      : 'train' ;
SAMPLE     : 'sample' ;
HMC        : 'hmc' ;
TRUE       : 'true' ;
FALSE      : 'false' ;
AND        : 'and' | '&&' ;
OR         : 'or' | '||' ;
NOT        : 'not' | '!' ;

PATH    : '.' '.'? '/' [a-zA-Z0-9_./-]+ ;
RANGE   : '..' ;
THEN    : '>>' ;
ARROW   : '->' ;
LE      : '<=' ;
GE      : '>=' ;
EQ      : '==' ;
NE      : '!=' ;
LT      : '<' ;
GT      : '>' ;
ASSIGN  : '=' ;
LPAREN  : '(' ;
RPAREN  : ')' ;
LBRACE  : '{' ;
RBRACE  : '}' ;
LBRACK  : '[' ;
RBRACK  : ']' ;
COMMA   : ',' ;
COLON   : ':' ;
SEMI    : ';' ;
DOT     : '.' ;
PLUS    : '+' ;
MINUS   : '-' ;
STAR    : '*' ;
SLASH   : '/' ;
PERCENT : '%' ;
CARET   : '^' ;
QUESTION: '?' ;

REAL : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT ;
INT  : DIGITS ;
fragment DIGITS   : [0-9]+ ('_' [0-9]+)* ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;

ID : [a-zA-Z_] [a-zA-Z_0-9]* ;

LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
// An unclosed block comment would otherwise fall through to single-character errors. Its body
// cannot contain `*/`, so a closed comment never matches it (the lexer prefers longer matches).
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* EOF ;
WS : [ \t\r\n\f\u00A0\uFEFF]+ -> channel(HIDDEN) ;

// Any other character becomes one token, so the compiler can report it with a position
// instead of the lexer's raw "token recognition error".
STRAY : . ;
