Import-Module WebAdministration
if (-not (Test-Path IIS:\Sites\Shop)) {
    New-Website -Name Shop -Port 80 -PhysicalPath C:\inetpub\wwwroot\shop -Force
}
Start-Website -Name Shop
