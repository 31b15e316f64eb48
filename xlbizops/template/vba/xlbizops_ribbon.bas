Attribute VB_Name = "xlbizops_ribbon"
' xlbizops ribbon tab: the callbacks named in customUI/customUI.xml.
' Each one runs a single action of xlbizops.macros through xlwings' RunPython, so
' the same Python code serves the ribbon and the command line (xlbizops refresh).
Option Explicit

Public Sub OnRefreshAll(control As IRibbonControl)
    RunAction "refresh_all"
End Sub

Public Sub OnRefreshSheet(control As IRibbonControl)
    RunAction "refresh_sheet"
End Sub

Public Sub OnBuildReport(control As IRibbonControl)
    RunAction "build_report"
End Sub

Public Sub OnLoadSampleData(control As IRibbonControl)
    RunAction "load_sample_data"
End Sub

Public Sub OnClearData(control As IRibbonControl)
    If MsgBox("Remove every order from the Data sheet?", vbOKCancel + vbQuestion, "xlbizops") = vbOK Then
        RunAction "clear_data"
    End If
End Sub

Public Sub OnImportFunctions(control As IRibbonControl)
    RunAction "import_functions"
End Sub

Public Sub OnHelp(control As IRibbonControl)
    RunAction "show_help"
End Sub

' The one place that builds the Python call.
Public Sub RunAction(action As String)
    RunPython "import xlbizops.macros as m; m." & action & "()"
End Sub
