Import-Module WebAdministration
if (Test-Path IIS:\Sites\Shop) { Stop-Website -Name Shop }
