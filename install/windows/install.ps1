# Wire Excel on Windows to xlbizops: a Python environment, the package, the add-in.
# Run from the xlbizops folder you downloaded (a checkout, or an unpacked release with
# its wheel in dist\):  powershell -ExecutionPolicy Bypass -File install\windows\install.ps1
# Add -Trust to make the templates' folder an Excel Trusted Location for your user.
param([switch]$Trust)
$ErrorActionPreference = "Stop"

# PowerShell 5.1's $ErrorActionPreference does not stop on a failing native command
# (python, pip): check each exit code.
function Invoke-Native([string]$What, [scriptblock]$Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE); nothing after it was done" }
}

$root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
$envDir = Join-Path $env:LOCALAPPDATA "xlbizops\venv"
$py = Join-Path $envDir "Scripts\python.exe"
if (-not (Test-Path $py)) {
    if (Get-Command py -ErrorAction SilentlyContinue) {
        Invoke-Native "creating the Python environment" { py -3.11 -m venv $envDir }
    } else {
        Invoke-Native "creating the Python environment" { python -m venv $envDir }
    }
}
# xlbizops is installed from what this script ships with: a wheel in dist\ if there is
# one, else the checkout itself (it is not on the package index yet).
$wheel = Get-ChildItem (Join-Path $root "dist") -Filter "xlbizops-*.whl" -ErrorAction SilentlyContinue |
    Sort-Object LastWriteTime | Select-Object -Last 1
$package = if ($wheel) { $wheel.FullName } else { "$root" }
Invoke-Native "upgrading pip" { & $py -m pip install --upgrade pip }
Invoke-Native "installing xlbizops from $package" { & $py -m pip install --upgrade $package pywin32 }

$setup = @("-m", "xlbizops.cli", "excel-setup")
if ($Trust) { $setup += "--trust" }
Invoke-Native "xlbizops excel-setup" { & $py @setup }

# A workbook downloaded from the internet carries the Mark of the Web and Office blocks
# its macros: the copies in Documents\xlbizops are unblocked.
$templates = Join-Path ([Environment]::GetFolderPath("MyDocuments")) "xlbizops"
if (Test-Path $templates) { Get-ChildItem $templates -Filter "*.xls*" | Unblock-File }

Invoke-Native "xlbizops doctor" { & $py -m xlbizops.cli doctor }
