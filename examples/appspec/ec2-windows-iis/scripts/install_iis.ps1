Install-WindowsFeature -Name Web-Server, Web-Asp-Net45 -IncludeManagementTools
New-Item -ItemType Directory -Force -Path C:\inetpub\wwwroot\shop | Out-Null
