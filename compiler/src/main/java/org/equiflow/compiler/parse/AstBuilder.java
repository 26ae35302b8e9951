package org.equiflow.compiler.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;
import org.equiflow.compiler.ast.Arg;
import org.equiflow.compiler.ast.Binder;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.FieldTypeRef;
import org.equiflow.compiler.ast.Ident;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Let;
import org.equiflow.compiler.ast.Module;
import org.equiflow.compiler.ast.Param;
import org.equiflow.compiler.ast.Setting;
import org.equiflow.compiler.ast.Stmt;
import org.equiflow.compiler.ast.TheoryMember;
import org.equiflow.compiler.ast.TypeRef;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.SourceFile;
import org.equiflow.compiler.diag.Span;
import org.equiflow.grammar.FlowParser;
import org.equiflow.grammar.FlowParser.*;

/** Parse tree to AST, one method per grammar rule. Reports only literals out of range (E0105). */
final class AstBuilder {
    private final SourceFile file;
    private final Diagnostics diagnostics;
    private boolean failed;

    AstBuilder(SourceFile file, Diagnostics diagnostics) {
        this.file = file;
        this.diagnostics = diagnostics;
    }

    Optional<Module> module(ProgramContext ctx) {
        List<Item> items = new ArrayList<>();
        for (ItemContext item : ctx.item()) items.add(item(item));
        Module module = new Module(file, items, span(ctx));
        return failed ? Optional.empty() : Optional.of(module);
    }

    private Span span(ParserRuleContext ctx) {
        Token stop = ctx.getStop() == null ? ctx.getStart() : ctx.getStop();
        int end = stop.getType() == Token.EOF ? file.text().length() : stop.getStopIndex() + 1;
        return new Span(file, Math.min(ctx.getStart().getStartIndex(), file.text().length()), end);
    }

    private Span span(Token t) { return new Span(file, t.getStartIndex(), t.getStopIndex() + 1); }

    private Ident ident(TerminalNode node) { return new Ident(node.getText(), span(node.getSymbol())); }

    private Ident ident(Token t) { return new Ident(t.getText(), span(t)); }

    private Ident ident(ParserRuleContext ctx) { return new Ident(ctx.getText(), span(ctx)); }

    private Item item(ItemContext ctx) {
        if (ctx.useDecl() != null) return use(ctx.useDecl());
        if (ctx.theoryDecl() != null) {
            var c = ctx.theoryDecl();
            if (c.theoryDef() != null) return theoryDef(ident(c.ID()), c.theoryDef(), span(c));
            return new Item.TheoryInst(ident(c.ID()), expr(c.theoryInst().expr()), span(c));
        }
        if (ctx.flowDef() != null) return flowDef(ctx.flowDef());
        if (ctx.netDef() != null) {
            var c = ctx.netDef();
            return new Item.NetDef(ident(c.ID()), params(c.params()), block(c.block()), span(c));
        }
        if (ctx.maskDef() != null) {
            var c = ctx.maskDef();
            return new Item.MaskDef(ident(c.ID()), params(c.params()), expr(c.expr()), span(c));
        }
        if (ctx.externDef() != null) {
            var c = ctx.externDef();
            List<Ident> properties = c.ID().stream().map(this::ident).toList();
            TypeRef result = c.typeRef() == null ? null : type(c.typeRef());
            return new Item.ExternDef(ident(c.kind), ident(c.fn), params(c.params()), result, properties, span(c));
        }
        if (ctx.letDecl() != null) {
            var c = ctx.letDecl();
            return new Let(ident(c.ID()), expr(c.expr()), span(c));
        }
        var c = ctx.runBlock();
        var kind = switch (c.kind.getType()) {
            case FlowParser.TRAIN -> Item.RunKind.TRAIN;
            case FlowParser.SAMPLE -> Item.RunKind.SAMPLE;
            default -> Item.RunKind.HMC;
        };
        List<Setting> settings = c.setting().stream()
                .map(s -> new Setting(ident(s.name()), s.expr().stream().map(this::expr).toList(), span(s)))
                .toList();
        return new Item.RunBlock(kind, ident(c.ID()), settings, span(c));
    }

    private Item.Use use(UseDeclContext ctx) {
        if (ctx instanceof UseFileContext f) {
            return new Item.Use(List.of(), List.of(), false, f.PATH().getText(), span(ctx));
        }
        var path = ((UseModuleContext) ctx).modulePath();
        List<Ident> ids = path.ID().stream().map(this::ident).toList();
        boolean braces = path.LBRACE() != null;
        boolean star = path.STAR() != null;
        if (braces) {
            // `use a.b.{x, y}`: the IDs after the brace are the imported names.
            int braceIndex = path.LBRACE().getSymbol().getTokenIndex();
            List<Ident> module = new ArrayList<>(), names = new ArrayList<>();
            for (var id : path.ID()) (id.getSymbol().getTokenIndex() < braceIndex ? module : names).add(ident(id));
            return new Item.Use(module, names, false, null, span(ctx));
        }
        if (star) return new Item.Use(ids, List.of(), true, null, span(ctx));
        if (ids.size() == 1) return new Item.Use(ids, List.of(), false, null, span(ctx));
        return new Item.Use(ids.subList(0, ids.size() - 1), List.of(ids.get(ids.size() - 1)), false, null, span(ctx));
    }

    private Item.TheoryDef theoryDef(Ident name, TheoryDefContext ctx, Span span) {
        List<TheoryMember> members = new ArrayList<>();
        for (var m : ctx.theoryMember()) {
            members.add(switch (m) {
                case FieldDeclContext f -> new TheoryMember.Field(ident(f.ID()), fieldType(f.fieldType()), span(f));
                case ActionDeclContext a -> new TheoryMember.Action(expr(a.expr()), span(a));
                case SymmetryDeclContext s -> s.ARROW() == null
                        ? new TheoryMember.Symmetry(ident(s.ID(0)), null, null, span(s))
                        : new TheoryMember.Symmetry(ident(s.ID(0)), ident(s.ID(1)), expr(s.expr()), span(s));
                case ObservableDeclContext o -> new TheoryMember.Observable(ident(o.ID()), expr(o.expr()), span(o));
                case TheoryLetContext l -> new Let(ident(l.ID()), expr(l.expr()), span(l));
                default -> throw new IllegalStateException("unhandled theory member " + m.getClass());
            });
        }
        return new Item.TheoryDef(name, params(ctx.params()), members, span);
    }

    private FieldTypeRef fieldType(FieldTypeContext ctx) {
        Integer n = ctx.INT() == null ? null : (int) integer(ctx.INT().getSymbol());
        return new FieldTypeRef(ident(ctx.kind), n, ident(ctx.place), span(ctx));
    }

    private Item.FlowDef flowDef(FlowDefContext ctx) {
        List<TerminalNode> ids = ctx.ID();
        List<Ident> claims = ids.subList(2, ids.size()).stream().map(this::ident).toList();
        return new Item.FlowDef(ident(ids.get(0)), params(ctx.params()), ident(ids.get(1)), claims,
                block(ctx.block()), span(ctx));
    }

    private List<Param> params(ParamsContext ctx) {
        if (ctx == null) return List.of();
        return ctx.param().stream()
                .map(p -> new Param(ident(p.name()), type(p.typeRef()), p.expr() == null ? null : expr(p.expr()), span(p)))
                .toList();
    }

    private TypeRef type(TypeRefContext ctx) {
        return switch (ctx) {
            case OptionalTypeContext o -> new TypeRef.Optional(type(o.typeRef()), span(o));
            case ListTypeContext l -> new TypeRef.ListOf(type(l.typeRef()), span(l));
            case NamedTypeContext n -> new TypeRef.Named(ident(n.name()), n.typeRef() == null ? null : type(n.typeRef()), span(n));
            default -> throw new IllegalStateException("unhandled type " + ctx.getClass());
        };
    }

    private List<Stmt> block(BlockContext ctx) {
        return ctx.stmt().stream().map(this::stmt).toList();
    }

    private Stmt stmt(StmtContext ctx) {
        return switch (ctx) {
            case PriorStmtContext p -> new Stmt.Prior(expr(p.expr()), span(p));
            case RepeatStmtContext r -> new Stmt.Repeat(ident(r.ID()), expr(r.expr(0)), expr(r.expr(1)), block(r.block()), span(r));
            case ForStmtContext f -> new Stmt.For(ident(f.ID()), expr(f.expr()), block(f.block()), span(f));
            case SymmetrizeStmtContext s -> new Stmt.Symmetrize(s.ID().stream().map(this::ident).toList(), span(s));
            case LetStmtContext l -> new Let(ident(l.ID()), expr(l.expr()), span(l));
            case ExprStmtContext e -> new Stmt.Eval(expr(e.expr()), span(e));
            default -> throw new IllegalStateException("unhandled statement " + ctx.getClass());
        };
    }

    private Expr expr(ExprContext ctx) {
        Span span = span(ctx);
        return switch (ctx) {
            case IndexExprContext c -> new Expr.Index(expr(c.expr(0)), c.expr().subList(1, c.expr().size()).stream().map(this::expr).toList(), span);
            case CallExprContext c -> new Expr.Call(expr(c.expr()), args(c.args()), span);
            case MemberExprContext c -> new Expr.Member(expr(c.expr()), ident(c.name()), span);
            case PowerExprContext c -> new Expr.Binary(Expr.BinaryOp.POW, expr(c.expr(0)), expr(c.expr(1)), span);
            case UnaryExprContext c -> new Expr.Unary(switch (c.op.getType()) {
                case FlowParser.MINUS -> Expr.UnaryOp.NEG;
                case FlowParser.PLUS -> Expr.UnaryOp.PLUS;
                default -> Expr.UnaryOp.NOT;
            }, expr(c.expr()), span);
            case MulExprContext c -> binary(c.op, c.expr(0), c.expr(1), span);
            case AddExprContext c -> binary(c.op, c.expr(0), c.expr(1), span);
            case CompareExprContext c -> binary(c.op, c.expr(0), c.expr(1), span);
            case AndExprContext c -> new Expr.Binary(Expr.BinaryOp.AND, expr(c.expr(0)), expr(c.expr(1)), span);
            case OrExprContext c -> new Expr.Binary(Expr.BinaryOp.OR, expr(c.expr(0)), expr(c.expr(1)), span);
            case ComposeExprContext c -> new Expr.Binary(Expr.BinaryOp.THEN, expr(c.expr(0)), expr(c.expr(1)), span);
            case ReduceExprContext c -> new Expr.Reduce(ident(c.reducer), binder(c.binder()), expr(c.expr()), span);
            case TupleExprContext c -> new Expr.Tuple(c.expr().stream().map(this::expr).toList(), span);
            case ParenExprContext c -> expr(c.expr());
            case ListExprContext c -> new Expr.ListLit(c.expr().stream().map(this::expr).toList(), span);
            case IntLitContext c -> new Expr.IntLit(integer(c.INT().getSymbol()), span);
            case RealLitContext c -> new Expr.RealLit(real(c.REAL().getSymbol()), span);
            case BoolLitContext c -> new Expr.BoolLit(c.TRUE() != null, span);
            case NameExprContext c -> new Expr.Name(ident(c.exprName()), span);
            default -> throw new IllegalStateException("unhandled expression " + ctx.getClass());
        };
    }

    private Expr binary(Token op, ExprContext left, ExprContext right, Span span) {
        var kind = switch (op.getType()) {
            case FlowParser.STAR -> Expr.BinaryOp.MUL;
            case FlowParser.SLASH -> Expr.BinaryOp.DIV;
            case FlowParser.PERCENT -> Expr.BinaryOp.MOD;
            case FlowParser.PLUS -> Expr.BinaryOp.ADD;
            case FlowParser.MINUS -> Expr.BinaryOp.SUB;
            case FlowParser.LT -> Expr.BinaryOp.LT;
            case FlowParser.LE -> Expr.BinaryOp.LE;
            case FlowParser.GT -> Expr.BinaryOp.GT;
            case FlowParser.GE -> Expr.BinaryOp.GE;
            case FlowParser.EQ -> Expr.BinaryOp.EQ;
            default -> Expr.BinaryOp.NE;
        };
        return new Expr.Binary(kind, expr(left), expr(right), span);
    }

    private Binder binder(BinderContext ctx) {
        List<TerminalNode> ids = ctx.ID();
        Ident first = ident(ids.get(0));
        Ident second = ctx.LT() != null ? ident(ids.get(1)) : null;
        Ident place = ctx.place == null ? null : ident(ctx.place);
        return new Binder(first, second, place, span(ctx));
    }

    private List<Arg> args(ArgsContext ctx) {
        if (ctx == null) return List.of();
        return ctx.arg().stream()
                .map(a -> new Arg(a.name() == null ? null : ident(a.name()), expr(a.expr()), span(a)))
                .toList();
    }

    private long integer(Token t) {
        String digits = t.getText().replace("_", "");
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            failed = true;
            diagnostics.error(ErrorCode.E0105, span(t), "integer `" + t.getText() + "` is too large");
            diagnostics.amendLast(d -> d.withHelp("integers lie between −9223372036854775808 and 9223372036854775807"));
            return 0;
        }
    }

    private double real(Token t) {
        double v = Double.parseDouble(t.getText().replace("_", ""));
        if (Double.isInfinite(v)) {
            failed = true;
            diagnostics.error(ErrorCode.E0105, span(t), "number `" + t.getText() + "` is too large for a real");
            diagnostics.amendLast(d -> d.withHelp("reals must lie within ±1.8e308"));
        }
        return v;
    }
}
