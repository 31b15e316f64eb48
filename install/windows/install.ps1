# Wire Excel on Windows to xlbizops: a Python environment, the package, the add-in.
# Run in PowerShell:  powershell -ExecutionPolicy Bypass -File install.ps1
$ErrorActionPreference = "Stop"
$envDir = Join-Path $env:LOCALAPPDATA "xlbizops\venv"
$python = (Get-Command py -ErrorAction SilentlyContinue)
if (-not (Test-Path (Join-Path $envDir "Scripts\python.exe"))) {
    if ($python) { py -3.11 -m venv $envDir } else { python -m venv $envDir }
}
$py = Join-Path $envDir "Scripts\python.exe"
& $py -m pip install --upgrade pip
& $py -m pip install --upgrade xlbizops pywin32
& $py -m xlbizops.cli excel-setup
& $py -m xlbizops.cli doctor
