import { loggingOf } from '../../../../local/deploy/resources/stepfunctions';

const GROUP = 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/vendedlogs/states/x:*';

describe("Function: loggingOf (a state machine resource's LoggingConfiguration, as Step Functions takes it)", () => {
  it('maps Level, IncludeExecutionData and the log group of each destination', () => {
    // Act
    const logging = loggingOf({
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: GROUP } }],
      },
    });

    // Assess
    expect(logging).toEqual({
      level: 'ALL',
      includeExecutionData: true,
      destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: GROUP } }],
    });
  });

  it('is OFF without a LoggingConfiguration, and refuses a level Step Functions does not know', () => {
    // Assess
    expect(loggingOf({})).toEqual({ level: 'OFF', includeExecutionData: false, destinations: [] });
    expect(() => loggingOf({ LoggingConfiguration: { Level: 'DEBUG' } })).toThrow(
      'LoggingConfiguration.Level must be ALL, ERROR, FATAL or OFF, got "DEBUG"',
    );
  });
});
