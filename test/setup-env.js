// Test-process environment: loopback traffic never goes through a proxy (botbuilder honours HTTP(S)_PROXY),
// and the AWS SDK's Node-20 end-of-support notice is not repeated in every test file's output.
process.env.NO_PROXY = ['127.0.0.1', 'localhost', process.env.NO_PROXY].filter(Boolean).join(',');
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
