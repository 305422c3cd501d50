module github.com/breachline/breachline

go 1.26.8

require (
	github.com/goccy/go-json v0.12.0
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.6 // indirect
