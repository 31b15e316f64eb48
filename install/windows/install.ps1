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

# The user's Documents as Windows knows it (the known-folder API): where OneDrive has
# moved it, the OneDrive folder the user sees.  xlbizops excel-setup asks the same API.
function Get-DocumentsFolder {
    return [Environment]::GetFolderPath("MyDocuments")
}

# A Python that xlwings 0.37.8 has wheels for (3.11 to 3.14): the newest the py launcher
# knows, else python on PATH.  The Microsoft Store's Python keeps new files in a private
# copy of %LOCALAPPDATA% (the environment would not be where Excel looks), and a conda
# Python needs its environment activated to load numpy's DLLs: both are refused, with
# what to do instead.
function Find-Python {
    $found = $null
    if (Get-Command py -ErrorAction SilentlyContinue) {
        foreach ($version in "3.14", "3.13", "3.12", "3.11") {
            $exe = & py "-$version" -c "import sys; print(sys.executable)" 2>$null
            if ($LASTEXITCODE -eq 0 -and $exe) { $found = "$exe".Trim(); break }
        }
    }
    if (-not $found) {
        $command = Get-Command python -ErrorAction SilentlyContinue
        if ($command) { $found = $command.Source }
    }
    if (-not $found) {
        throw "No Python found. Install Python 3.11 to 3.14 from https://www.python.org/downloads/ (tick 'Add python.exe to PATH'), then run this again."
    }
    if ($found -like "*\WindowsApps\*") {
        throw "$found is the Microsoft Store's Python, which keeps new files where Excel cannot find them. Install Python 3.11 to 3.14 from https://www.python.org/downloads/ and run this again."
    }
    $version = & $found -c "import sys; print('%d.%d' % sys.version_info[:2])"
    if ($LASTEXITCODE -ne 0 -or -not (@("3.11", "3.12", "3.13", "3.14") -contains "$version".Trim())) {
        throw "$found is Python $version; xlbizops needs 3.11 to 3.14 (xlwings 0.37.8 has no other). Install one from https://www.python.org/downloads/ and run this again."
    }
    $prefix = & $found -c "import sys; print(sys.prefix)"
    if (Test-Path (Join-Path "$prefix".Trim() "conda-meta")) {
        throw "$found is a conda Python, which Excel would start without activating its environment (numpy then fails to load). Install Python 3.11 to 3.14 from https://www.python.org/downloads/, or follow xlwings' conda notes (CONDA PATH, CONDA ENV) by hand."
    }
    return $found
}

$root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
$envDir = Join-Path $env:LOCALAPPDATA "xlbizops\venv"
$py = Join-Path $envDir "Scripts\python.exe"
if (-not (Test-Path $py)) {
    $python = Find-Python
    Invoke-Native "creating the Python environment with $python" { & $python -m venv $envDir }
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
$templates = Join-Path (Get-DocumentsFolder) "xlbizops"
if (-not (Test-Path $templates)) { throw "excel-setup did not copy the workbooks to $templates" }
Get-ChildItem $templates -Filter "*.xls*" | Unblock-File

Invoke-Native "xlbizops doctor" { & $py -m xlbizops.cli doctor }
