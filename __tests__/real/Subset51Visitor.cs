// One pass over a script's syntax tree (an AstVisitor2, PowerShell SDK) that collects what the
// checks need: constructs Windows PowerShell 5.1 cannot run, the .NET members used, the commands.
// 5.1 lacks: pipeline chain operators && || (7.0, about_Pipeline_Chain_Operators), the ternary
// operator ?: (7.0), ?? and ??= (7.0) and ?. ?[] (7.1, about_Operators), clean blocks (7.3,
// about_Functions_Advanced_Methods), the background operator & (6.0, about_Operators).
using System;
using System.Collections.Generic;
using System.Management.Automation.Language;

public class IisctlSubset51Visitor : AstVisitor2
{
    public readonly List<string> Violations = new List<string>();
    public readonly SortedSet<string> Members = new SortedSet<string>(StringComparer.Ordinal);
    public readonly List<CommandAst> Commands = new List<CommandAst>();
    public readonly HashSet<string> Functions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    private static string At(Ast n)
    {
        return "line " + n.Extent.StartLineNumber + ": " + n.Extent.Text.Split('\n')[0];
    }

    private static string TypeName(ITypeName name)
    {
        Type t = name.GetReflectionType();
        return t != null ? t.FullName : name.FullName;
    }

    public override AstVisitAction VisitPipelineChain(PipelineChainAst ast) { Violations.Add("pipeline chain (&&, ||): " + At(ast)); return AstVisitAction.Continue; }
    public override AstVisitAction VisitTernaryExpression(TernaryExpressionAst ast) { Violations.Add("ternary operator: " + At(ast)); return AstVisitAction.Continue; }

    public override AstVisitAction VisitBinaryExpression(BinaryExpressionAst ast)
    {
        if (ast.Operator == TokenKind.QuestionQuestion) Violations.Add("?? operator: " + At(ast));
        return AstVisitAction.Continue;
    }

    public override AstVisitAction VisitAssignmentStatement(AssignmentStatementAst ast)
    {
        if (ast.Operator == TokenKind.QuestionQuestionEquals) Violations.Add("??= operator: " + At(ast));
        return AstVisitAction.Continue;
    }

    public override AstVisitAction VisitIndexExpression(IndexExpressionAst ast)
    {
        if (ast.NullConditional) Violations.Add("null-conditional index ?[]: " + At(ast));
        return AstVisitAction.Continue;
    }

    public override AstVisitAction VisitPipeline(PipelineAst ast)
    {
        if (ast.Background) Violations.Add("background operator &: " + At(ast));
        return AstVisitAction.Continue;
    }

    public override AstVisitAction VisitScriptBlock(ScriptBlockAst ast)
    {
        if (ast.CleanBlock != null) Violations.Add("clean block: " + At(ast));
        return AstVisitAction.Continue;
    }

    public override AstVisitAction VisitFunctionDefinition(FunctionDefinitionAst ast)
    {
        Functions.Add(ast.Name);
        return AstVisitAction.Continue;
    }

    public override AstVisitAction VisitCommand(CommandAst ast)
    {
        Commands.Add(ast);
        return AstVisitAction.Continue;
    }

    public override AstVisitAction VisitMemberExpression(MemberExpressionAst ast)
    {
        Member(ast, "");
        return AstVisitAction.Continue;
    }

    public override AstVisitAction VisitInvokeMemberExpression(InvokeMemberExpressionAst ast)
    {
        Member(ast, "(" + (ast.Arguments == null ? 0 : ast.Arguments.Count) + ")");
        return AstVisitAction.Continue;
    }

    private void Member(MemberExpressionAst ast, string call)
    {
        if (ast.NullConditional) Violations.Add("null-conditional member access ?.: " + At(ast));
        var constant = ast.Member as StringConstantExpressionAst;
        string member = constant != null ? constant.Value : "(dynamic)";
        var type = ast.Expression as TypeExpressionAst;
        Members.Add(ast.Static && type != null ? "[" + TypeName(type.TypeName) + "]::" + member + call : "." + member + call);
    }
}
